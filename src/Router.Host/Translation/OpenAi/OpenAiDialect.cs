using System.Net.Http.Headers;
using System.Text.Json;
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

    public UpstreamCall BuildCall(ProxyOperation operation, ProxyRequest request, CallContext call)
    {
        request.Model = call.UpstreamModel;
        if (call.Streaming && request.StreamOptions?.IncludeUsage != true)
        {
            // Usage is recorded for every stream: ask for it; the translator keeps the extra chunk from the client.
            request.StreamOptions ??= new StreamOptions();
            request.StreamOptions.IncludeUsage = true;
        }
        return new UpstreamCall(operation.UpstreamPath, JsonSerializer.SerializeToUtf8Bytes(request, WireJsonContext.Wire.ProxyRequest),
            UpstreamCall.NoHeaders);
    }

    public void Authenticate(HttpRequestMessage request, string apiKey) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

    public TranslatedResponse TranslateResponse(byte[] body, ResponseContext response) => new(body, UsageParser.FromResponse(body));

    public IStreamTranslator CreateStreamTranslator(ResponseContext response) => new OpenAiStreamTranslator(response.IncludeUsage);

    public IUpstreamEventReader CreateEventReader(Stream body) => new SseEventReader(body);
}
