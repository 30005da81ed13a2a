using System.Net.Http.Headers;
using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation.OpenAi;

/// <summary>
/// OpenAI and every server that speaks its format: the request is forwarded with only the model name
/// replaced, and the answer passes through as the provider's own bytes.
/// </summary>
public sealed class OpenAiDialect : IProviderDialect
{
    public static readonly OpenAiDialect Instance = new();

    /// <remarks>
    /// The body is the request written with the upstream model: the client's request is left as it came, since the
    /// retry loop sends it to the next deployment and the cache and the request log read it.
    /// </remarks>
    public UpstreamCall BuildCall(ProxyOperation operation, ProxyRequest request, CallContext call) =>
        new(operation.UpstreamPath, ProxyRequestWriter.Write(request, call.UpstreamModel, StreamOptionsFor(request, call.Streaming)),
            UpstreamCall.NoHeaders);

    /// <summary>Usage is recorded for every stream: ask for it; the translator keeps the extra chunk from the client.</summary>
    private static StreamOptions? StreamOptionsFor(ProxyRequest request, bool streaming) =>
        streaming && request.StreamOptions?.IncludeUsage != true
            ? new StreamOptions { IncludeUsage = true, Rest = request.StreamOptions?.Rest }
            : request.StreamOptions;

    public void Authenticate(HttpRequestMessage request, string apiKey) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

    public TranslatedResponse TranslateResponse(byte[] body, ResponseContext response) => new(body, UsageParser.FromResponse(body));

    public IStreamTranslator CreateStreamTranslator(ResponseContext response) => new OpenAiStreamTranslator(response.IncludeUsage);

    public IUpstreamEventReader CreateEventReader(Stream body) => new SseEventReader(body);
}
