using System.Globalization;
using System.Text.Json;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Providers;

namespace Router.Host.Proxy;

/// <summary>
/// A request whose key's budget covers less than its longest completion goes with the completion limit the
/// budget covers (the key's actor chose it and reserved exactly that), and the answer says so in
/// <see cref="Header"/>. The limit travels in the request's own field: dialects that speak another (Anthropic's
/// <c>max_tokens</c>, Gemini's <c>maxOutputTokens</c>) map it from there.
/// </summary>
public static class CompletionCap
{
    public const string Header = "x-router-max-tokens-capped";

    private const string MaxTokens = "max_tokens";
    private const string MaxCompletionTokens = "max_completion_tokens";
    private const string MaxOutputTokens = "max_output_tokens";

    /// <summary>
    /// A copy of the request with its completion limit lowered to <paramref name="limit"/>: each limit field the client
    /// sent; when it sent none, the field the provider reads (<see cref="FieldFor"/>). The client's body keeps what it
    /// asked for; the copy has a dictionary of its own and shares the rest (JSON values are immutable; a dialect
    /// sets the model and stream options on the request it sends, this copy from now on).
    /// </summary>
    public static ProxyRequest Lower(ProxyRequest request, int limit, ProviderSettings provider, ProxyOperation operation)
    {
        var rest = request.Rest is null ? new Dictionary<string, JsonElement>() : new Dictionary<string, JsonElement>(request.Rest);
        var value = Number(limit);
        var sent = false;
        foreach (var field in (ReadOnlySpan<string>)[MaxCompletionTokens, MaxTokens, MaxOutputTokens])
            if (rest.ContainsKey(field))
            {
                rest[field] = value;
                sent = true;
            }
        if (!sent) rest[FieldFor(provider, operation)] = value;
        return new ProxyRequest
        {
            Model = request.Model, Stream = request.Stream, StreamOptions = request.StreamOptions, Rest = rest, Conversation = request.Conversation,
        };
    }

    /// <summary>
    /// The limit field to add to a request that set none: OpenAI's chat API wants <c>max_completion_tokens</c> (its
    /// reasoning models refuse <c>max_tokens</c>); its legacy completions and every other OpenAI-compatible server
    /// know <c>max_tokens</c>, as do the translating dialects; the Responses API wants <c>max_output_tokens</c>.
    /// </summary>
    public static string FieldFor(ProviderSettings provider, ProxyOperation operation) =>
        operation == ProxyOperation.Responses ? MaxOutputTokens
        : operation == ProxyOperation.ChatCompletions && ProviderRegistry.Of(provider.Type).ChatLimitIsMaxCompletionTokens
            ? MaxCompletionTokens
            : MaxTokens;

    /// <summary>Whether the answer being written went with a lowered completion limit (such an answer is not what the request asked for).</summary>
    public static bool Applied(HttpResponse response) => response.Headers.ContainsKey(Header);

    public static string Format(int limit) => limit.ToString(CultureInfo.InvariantCulture);

    private static JsonElement Number(int value)
    {
        using var document = JsonDocument.Parse(Format(value));
        return document.RootElement.Clone();
    }
}
