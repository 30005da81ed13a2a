using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Streaming;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// Anthropic's Messages API (<c>POST {api-base}/messages</c>, api-base like <c>https://api.anthropic.com/v1</c>):
/// chat completions only, authenticated with <c>x-api-key</c>, versioned with <c>anthropic-version</c>.
/// </summary>
public sealed class AnthropicDialect(ProviderSettings settings) : IProviderDialect
{
    public const string Version = "2023-06-01";
    private const string VersionHeader = "anthropic-version";
    private const string BetaHeader = "anthropic-beta";

    public UpstreamCall BuildCall(ProxyOperation operation, ProxyRequest request, CallContext call)
    {
        if (operation != ProxyOperation.ChatCompletions)
        {
            var endpoint = operation == ProxyOperation.Embeddings ? "embeddings" : "completions";
            throw RouterError.InvalidRequest(
                $"Provider '{settings.Name}' speaks Anthropic's Messages API, which has no {endpoint} endpoint; route this model to a provider that offers it.",
                null, "unsupported_endpoint");
        }
        var written = AnthropicRequestWriter.Write(request, call, settings);
        return new UpstreamCall("/messages", written.Body, Headers(call)) { DroppedParams = written.Dropped, ContentTool = written.ContentTool };
    }

    /// <summary>
    /// The client's <c>anthropic-beta</c> and <c>anthropic-version</c> pass through; without either a
    /// client or a configured version, the one this translation is written for is sent.
    /// </summary>
    internal List<KeyValuePair<string, string>> Headers(CallContext call)
    {
        var configuredVersion = settings.Headers.Keys.Any(k => string.Equals(k, VersionHeader, StringComparison.OrdinalIgnoreCase));
        var headers = new List<KeyValuePair<string, string>>(2);
        var clientVersion = call.ClientHeaders[VersionHeader].ToString();
        // A configured version is added by the provider client; the client's would make a second one.
        if (clientVersion.Length > 0 && !configuredVersion) headers.Add(new(VersionHeader, clientVersion));
        else if (!configuredVersion) headers.Add(new(VersionHeader, Version));
        var beta = call.ClientHeaders[BetaHeader].ToString();
        if (beta.Length > 0) headers.Add(new(BetaHeader, beta));
        return headers;
    }

    public void Authenticate(HttpRequestMessage request, string apiKey)
    {
        var headers = request.Headers;
        headers.Authorization = null;
        headers.Remove("x-api-key");
        headers.TryAddWithoutValidation("x-api-key", apiKey);
    }

    public TranslatedResponse TranslateResponse(byte[] body, ResponseContext response) =>
        AnthropicResponseReader.Translate(body, response);

    public IStreamTranslator CreateStreamTranslator(ResponseContext response) => new AnthropicStreamTranslator(response);

    public IUpstreamEventReader CreateEventReader(Stream body) => new SseEventReader(body);
}
