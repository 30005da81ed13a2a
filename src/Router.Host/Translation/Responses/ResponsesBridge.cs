using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Streaming;

namespace Router.Host.Translation.Responses;

/// <summary>
/// OpenAI's Responses API to a provider that does not speak it: the request becomes a chat request
/// (<see cref="ResponsesRequestConverter"/>), the provider's own dialect sends it, and its answer comes back through
/// that dialect as a chat completion and on to a Responses object or event sequence.
/// </summary>
public sealed class ResponsesBridge(IProviderDialect chat) : IProviderDialect
{
    public UpstreamCall BuildCall(ProxyOperation operation, ProxyRequest request, CallContext call)
    {
        var body = ClientBytes.Of(request);
        using var document = JsonDocument.Parse(body);
        if (request.Conversation is null && request.Field("previous_response_id") is { ValueKind: JsonValueKind.String } previous)
            throw RouterError.InvalidRequest(
                $"Response '{previous.GetString()}' is not one this router stored, and this model's provider keeps no responses of its own.",
                "previous_response_id", "response_not_found");
        var converted = ResponsesRequestConverter.Convert(document.RootElement, request.Conversation ?? []);
        return chat.BuildCall(ProxyOperation.ChatCompletions, JsonSerializer.Deserialize(converted, WireJsonContext.Wire.ProxyRequest)!, call);
    }

    public void Authenticate(HttpRequestMessage request, string apiKey) => chat.Authenticate(request, apiKey);

    public TranslatedResponse TranslateResponse(byte[] body, ResponseContext response)
    {
        var completion = chat.TranslateResponse(body, response);
        return new TranslatedResponse(ResponsesAnswer.FromCompletion(completion.Body, completion.Usage, response), completion.Usage);
    }

    /// <summary>The usage chunk is always asked for: <c>response.completed</c> carries the usage.</summary>
    public IStreamTranslator CreateStreamTranslator(ResponseContext response) =>
        new ChunkBridgeStream(chat.CreateStreamTranslator(response with { IncludeUsage = true }), new ResponsesStreamTranslator(response));

    public IUpstreamEventReader CreateEventReader(Stream body) => chat.CreateEventReader(body);
}
