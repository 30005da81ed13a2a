using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Pricing;

namespace Router.Host.Routing;

/// <summary>
/// Tells whether a prompt is too long for a deployment, before it is sent: the deployment's
/// <c>max-input-tokens</c>, else the price table's figure for its upstream model. Counting tokens is
/// only needed for a long prompt: a token is never shorter than a byte, so a prompt whose JSON has
/// fewer bytes than the limit fits, and the tokenizer (o200k, loaded on first need) is left alone.
/// </summary>
public sealed class ContextWindows(ModelCatalog catalog, IReadOnlyDictionary<string, ProviderSettings> providers)
{
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public int? LimitOf(Deployment deployment, string upstreamModel) =>
        deployment.MaxInputTokens
        ?? catalog.Find(CostCalculator.PrefixOf(providers[deployment.ProviderName]), upstreamModel)?.MaxInputTokens;

    public bool Exceeds(ProxyRequest request, Deployment deployment, string upstreamModel)
    {
        if (LimitOf(deployment, upstreamModel) is not { } limit) return false;
        if (request.Field("messages") is not { ValueKind: JsonValueKind.Array } messages) return false;
        if (Encoding.UTF8.GetByteCount(messages.GetRawText()) <= limit) return false;
        return CountTokens(messages) > limit;
    }

    /// <summary>
    /// The tokens of a prompt or input that is a string, an array of token ids (one each), or an array of either.
    /// </summary>
    public static int CountText(JsonElement text) => text.ValueKind switch
    {
        JsonValueKind.String => O200k.Value.CountTokens(text.GetString()!),
        JsonValueKind.Number => 1,
        JsonValueKind.Array => text.EnumerateArray().Sum(CountText),
        _ => 0,
    };

    /// <summary>The tokens of a text, as OpenAI's current models count them.</summary>
    public static int CountTokens(string text) => text.Length == 0 ? 0 : O200k.Value.CountTokens(text);

    /// <summary>The tokens of the messages' text, as OpenAI's current models count them.</summary>
    public static int CountTokens(JsonElement messages)
    {
        var tokenizer = O200k.Value;
        var count = 0;
        foreach (var message in messages.EnumerateArray())
        {
            count += 4; // each message's role and framing
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content)) continue;
            if (content.ValueKind == JsonValueKind.String) count += tokenizer.CountTokens(content.GetString()!);
            else if (content.ValueKind == JsonValueKind.Array)
                foreach (var part in content.EnumerateArray())
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                        count += tokenizer.CountTokens(text.GetString()!);
        }
        return count;
    }
}
