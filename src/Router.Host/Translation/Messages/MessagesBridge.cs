using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation.Messages;

/// <summary>
/// Anthropic's Messages API to a provider that does not speak it: the request becomes an OpenAI chat request
/// (<see cref="MessagesRequestConverter"/>, which refuses with a 400 what it cannot carry), the provider's own dialect
/// sends it, and the answer comes back through that dialect as OpenAI's and on to Anthropic's shapes.
/// </summary>
/// <param name="target">What the provider's chat API has of the fields only some take.</param>
public sealed class MessagesBridge(IProviderDialect chat, ChatTarget target) : IProviderDialect
{
    public UpstreamCall BuildCall(ProxyOperation operation, ProxyRequest request, CallContext call)
    {
        var body = ClientBytes.Of(request);
        var (converted, _) = MessagesRequestConverter.Convert(body, target);
        return chat.BuildCall(ProxyOperation.ChatCompletions, JsonSerializer.Deserialize(converted, WireJsonContext.Wire.ProxyRequest)!, call);
    }

    public void Authenticate(HttpRequestMessage request, string apiKey) => chat.Authenticate(request, apiKey);

    public TranslatedResponse TranslateResponse(byte[] body, ResponseContext response)
    {
        var completion = chat.TranslateResponse(body, response);
        return new TranslatedResponse(MessagesResponses.Message(completion.Body), completion.Usage);
    }

    /// <summary>The usage chunk is always asked for: Anthropic's closing <c>message_delta</c> carries the usage.</summary>
    public IStreamTranslator CreateStreamTranslator(ResponseContext response) =>
        new ChunkBridgeStream(chat.CreateStreamTranslator(response with { IncludeUsage = true }),
            new MessagesStreamTranslator(MessagesResponses.MessageId(response.Id), response.Model));

    public IUpstreamEventReader CreateEventReader(Stream body) => chat.CreateEventReader(body);
}
