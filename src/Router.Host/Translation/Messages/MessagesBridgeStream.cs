using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation.Messages;

/// <summary>
/// A provider's stream as Anthropic's events, in two steps: the provider's dialect makes OpenAI chunks of each
/// upstream event, and <see cref="MessagesStreamTranslator"/> makes Anthropic events of those, so nothing waits for
/// more than the one event it came with.
/// </summary>
public sealed class MessagesBridgeStream(IStreamTranslator chat, MessagesStreamTranslator messages) : IStreamTranslator
{
    private readonly List<byte[]> _chunks = [];

    public TokenUsage? Usage => chat.Usage;

    public ProviderStreamError? Error => chat.Error;

    public StreamSignal Accept(SseEvent upstream, List<byte[]> frames) => Translate(chat.Accept(upstream, _chunks), frames);

    public StreamSignal End(List<byte[]> frames) => Translate(chat.End(_chunks), frames);

    private StreamSignal Translate(StreamSignal signal, List<byte[]> frames)
    {
        foreach (var chunk in _chunks)
        {
            var data = SseEvent.Parse(chunk);
            if (data.HasData) messages.Accept(data.Data.Span, frames);
        }
        _chunks.Clear();
        return signal;
    }
}
