using System.Net.Http.Headers;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Streaming;
using Router.Host.Translation.Responses;

namespace Router.Host.Translation.OpenAi;

/// <summary>
/// OpenAI's Responses API spoken natively (OpenAI, and OpenAI-compatible servers that declare <c>responses = native</c>):
/// the client's body goes as written with only the model replaced, and the answer and its events come back as the
/// provider sent them. The router reads only the usage (<c>usage</c>, or the one of <c>response.completed</c>).
/// </summary>
public sealed class OpenAiResponsesDialect : IProviderDialect
{
    public static readonly OpenAiResponsesDialect Instance = new();

    /// <remarks>A request continuing a response the router stored (answered by another provider) carries that conversation inline.</remarks>
    public UpstreamCall BuildCall(ProxyOperation operation, ProxyRequest request, CallContext call) =>
        new("/responses", request.Conversation is { } conversation
            ? ResponsesConversation.Inline(request, conversation, call.UpstreamModel)
            : ModelField.Replace(request, call.UpstreamModel), UpstreamCall.NoHeaders);

    public void Authenticate(HttpRequestMessage request, string apiKey) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

    public TranslatedResponse TranslateResponse(byte[] body, ResponseContext response)
    {
        using var document = JsonDocument.Parse(body);
        return new TranslatedResponse(body, ResponsesUsage.Read(document.RootElement));
    }

    public IStreamTranslator CreateStreamTranslator(ResponseContext response) => new OpenAiResponsesStream();

    public IUpstreamEventReader CreateEventReader(Stream body) => new SseEventReader(body);
}
