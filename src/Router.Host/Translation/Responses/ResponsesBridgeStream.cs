using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation.Responses;

/// <summary>
/// A provider's stream as Responses events, in two steps: the provider's dialect makes chat chunks of each upstream
/// event, and <see cref="ResponsesStreamTranslator"/> makes Responses events of those.
/// </summary>
public sealed class ResponsesBridgeStream(IStreamTranslator chat, ResponsesStreamTranslator responses) : IStreamTranslator
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
            if (data.HasData) responses.Accept(data.Data.Span, frames);
        }
        _chunks.Clear();
        return signal;
    }
}
