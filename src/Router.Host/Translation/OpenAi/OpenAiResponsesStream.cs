using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation.OpenAi;

/// <summary>
/// Relays a Responses event stream as the provider sent it, event by event and byte for byte, reading only the end:
/// <c>response.completed</c> or <c>response.incomplete</c> (with the usage) finish it; <c>response.failed</c> and
/// <c>error</c> fail it, and the router reports the failure in its own error event, naming the provider.
/// </summary>
public sealed class OpenAiResponsesStream : IStreamTranslator
{
    private StreamSignal? _ended;

    public TokenUsage? Usage { get; private set; }

    public ProviderStreamError? Error { get; private set; }

    public StreamSignal Accept(SseEvent upstream, List<byte[]> frames)
    {
        if (_ended is { } ended) return ended;
        var type = EventType.Of(upstream.Data.Span);
        if (type is "response.completed" or "response.incomplete" or "response.failed" or "error")
        {
            using var document = JsonDocument.Parse(upstream.Data);
            var data = document.RootElement;
            var response = data.TryGetProperty("response", out var r) ? r : default;
            if (type is "response.failed" or "error")
            {
                var error = type == "error" ? data : response.TryGetProperty("error", out var e) ? e : default;
                Error = new ProviderStreamError(ProviderStreamError.StatusOf(error), upstream.Data.ToArray());
                return End(StreamSignal.Failed);
            }
            Usage = ResponsesUsage.Read(response);
            frames.Add(upstream.Raw);
            return End(StreamSignal.Finished);
        }
        frames.Add(upstream.Raw);
        return StreamSignal.Continue;
    }

    public StreamSignal End(List<byte[]> frames) => _ended ?? End(StreamSignal.Failed);

    private StreamSignal End(StreamSignal signal)
    {
        _ended = signal;
        return signal;
    }
}
