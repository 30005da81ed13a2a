using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation;

/// <summary>Turns the data of one chat chunk (or <c>[DONE]</c>) into the frames of another client API's stream.</summary>
public interface IChunkTranslator
{
    void Accept(ReadOnlySpan<byte> data, List<byte[]> frames);
}

/// <summary>
/// A provider's stream in another client API's shapes, in two steps: the provider's dialect makes chat chunks of each
/// upstream event, and the client API's <see cref="IChunkTranslator"/> makes its own events of those, so nothing waits
/// for more than the one event it came with.
/// </summary>
public sealed class ChunkBridgeStream(IStreamTranslator chat, IChunkTranslator client) : IStreamTranslator
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
            if (data.HasData) client.Accept(data.Data.Span, frames);
        }
        _chunks.Clear();
        return signal;
    }
}
