using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// Relays a Messages event stream to a Messages client as Anthropic sent it, event by event and byte for byte,
/// reading only what the walk needs: the usage (<c>message_start</c>, <c>message_delta</c>), the end
/// (<c>message_stop</c>) and a failure (<c>error</c>, which the router reports in its own error event, naming
/// the provider, instead of relaying it).
/// </summary>
public sealed class AnthropicNativeStream : IStreamTranslator
{
    private AnthropicUsage _usage;
    private bool _started;
    private StreamSignal? _ended;

    public TokenUsage? Usage => _started ? _usage.ToTokenUsage() : null;

    public ProviderStreamError? Error { get; private set; }

    public StreamSignal Accept(SseEvent upstream, List<byte[]> frames)
    {
        if (_ended is { } ended) return ended;
        var type = EventType.Of(upstream.Data.Span);
        if (type is "message_start" or "message_delta" or "error")
        {
            using var document = JsonDocument.Parse(upstream.Data);
            var data = document.RootElement;
            if (type == "error")
            {
                Error = new ProviderStreamError(AnthropicErrors.Status(data), upstream.Data.ToArray());
                return End(StreamSignal.Failed);
            }
            var usage = type == "message_start" && data.TryGetProperty("message", out var message) ? message.TryGetProperty("usage", out var u) ? u : default
                : data.TryGetProperty("usage", out var delta) ? delta : default;
            _usage.Update(usage);
            _started = true;
        }
        frames.Add(upstream.Raw);
        return type == "message_stop" ? End(StreamSignal.Finished) : StreamSignal.Continue;
    }

    /// <summary>Anthropic ends a complete answer with <c>message_stop</c>; a stream that closes before it was cut.</summary>
    public StreamSignal End(List<byte[]> frames) => _ended ?? End(StreamSignal.Failed);

    private StreamSignal End(StreamSignal signal)
    {
        _ended = signal;
        return signal;
    }
}
