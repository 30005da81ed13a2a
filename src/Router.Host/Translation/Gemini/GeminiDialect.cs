using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Streaming;

namespace Router.Host.Translation.Gemini;

/// <summary>
/// Google's Gemini API (<c>models/{model}:generateContent</c> and <c>:streamGenerateContent?alt=sse</c>)
/// reached by translation. Only chat completions translate; the api-base is the versioned root, e.g.
/// <c>https://generativelanguage.googleapis.com/v1beta</c>.
/// </summary>
public sealed class GeminiDialect(ProviderSettings settings) : IProviderDialect
{
    public const string KeyHeader = "x-goog-api-key";

    public UpstreamCall BuildCall(ProxyOperation operation, ProxyRequest request, CallContext call)
    {
        if (operation != ProxyOperation.ChatCompletions)
            throw RouterError.InvalidRequest(
                $"Provider '{settings.Name}' speaks Gemini's generateContent API; the router does not translate {operation.UpstreamPath} for it. Route this model to a provider that offers it.",
                null, "unsupported_endpoint");
        // Escaped: under a wildcard route the name is the client's, and "../" must not leave /models.
        var model = Uri.EscapeDataString(call.UpstreamModel);
        var path = call.Streaming ? $"/models/{model}:streamGenerateContent?alt=sse" : $"/models/{model}:generateContent";
        var written = GeminiRequestWriter.Write(request, call.UpstreamModel, settings);
        return new UpstreamCall(path, written.Body, UpstreamCall.NoHeaders) { DroppedParams = written.Dropped };
    }

    /// <summary>The key goes in Google's header, never in the URL (<c>?key=</c>), which reaches logs.</summary>
    public void Authenticate(HttpRequestMessage request, string apiKey)
    {
        request.Headers.Remove(KeyHeader);
        request.Headers.TryAddWithoutValidation(KeyHeader, apiKey);
    }

    public TranslatedResponse TranslateResponse(byte[] body, ResponseContext response) =>
        GeminiResponseReader.Translate(body, response);

    public IStreamTranslator CreateStreamTranslator(ResponseContext response) => new GeminiStreamTranslator(response);

    // Asked for with ?alt=sse (see BuildCall): without it, Gemini streams one JSON array.
    public IUpstreamEventReader CreateEventReader(Stream body) => new SseEventReader(body);
}
