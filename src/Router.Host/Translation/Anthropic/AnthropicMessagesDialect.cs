using System.Text.Json;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// Anthropic's own Messages API, spoken natively to an Anthropic provider: the client's body goes as written with only
/// the model replaced, its <c>anthropic-version</c> and <c>anthropic-beta</c> with it, and the answer and its event
/// stream come back as Anthropic sent them. Every field and block type (thinking, cache_control, documents,
/// citations, server tools, whatever comes next) therefore reaches both ends unchanged; the router only reads the
/// usage, which prices cache reads and writes at their own rates.
/// </summary>
public sealed class AnthropicMessagesDialect(ProviderSettings settings) : IProviderDialect
{
    private readonly AnthropicDialect _anthropic = new(settings);

    public UpstreamCall BuildCall(ProxyOperation operation, ProxyRequest request, CallContext call) =>
        new("/messages", ModelField.Replace(request, call.UpstreamModel), _anthropic.Headers(call));

    /// <summary><c>POST /v1/messages/count_tokens</c>: the client's body as written, with the provider's model.</summary>
    public UpstreamCall CountTokensCall(ProxyRequest request, CallContext call) =>
        new("/messages/count_tokens", ModelField.Replace(request, call.UpstreamModel), _anthropic.Headers(call));

    public void Authenticate(HttpRequestMessage request, string apiKey) => _anthropic.Authenticate(request, apiKey);

    public TranslatedResponse TranslateResponse(byte[] body, ResponseContext response)
    {
        using var document = JsonDocument.Parse(body);
        var usage = document.RootElement.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? AnthropicUsage.Read(u) : null;
        // The same array: the client gets the provider's bytes.
        return new TranslatedResponse(body, usage);
    }

    public IStreamTranslator CreateStreamTranslator(ResponseContext response) => new AnthropicNativeStream();

    public IUpstreamEventReader CreateEventReader(Stream body) => new SseEventReader(body);
}
