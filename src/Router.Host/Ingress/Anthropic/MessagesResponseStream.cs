using System.Text.Json;
using Router.Host.Translation.Messages;

namespace Router.Host.Ingress.Anthropic;

/// <summary>
/// Stands in for the response body of a Messages request. The answer itself is already in Anthropic's shapes (the
/// provider's own, or bridged by <see cref="MessagesBridge"/>) and passes as written; what the router says in its own
/// words is OpenAI-shaped and is turned into Anthropic's here: an error body (once it is complete), and inside a
/// stream the router's error event, its <c>[DONE]</c> (dropped) and its keep-alive comments (Anthropic's <c>ping</c>).
/// </summary>
public sealed class MessagesResponseStream(HttpResponse response, Stream client) : ShapingStream
{
    private enum Shape { Answer, Error, Events }

    private readonly MemoryStream _pending = new();
    private Shape? _shape;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        // The status and type are set before the first byte: the relay sets the event-stream type before its first frame.
        _shape ??= response.StatusCode >= 400 ? Shape.Error
            : response.ContentType?.StartsWith("text/event-stream", StringComparison.Ordinal) == true ? Shape.Events
            : Shape.Answer;
        switch (_shape)
        {
            case Shape.Answer:
                await client.WriteAsync(buffer, ct);
                break;
            case Shape.Error:
                _pending.Write(buffer.Span);
                break;
            default:
                _pending.Write(buffer.Span);
                await RelayEventsAsync(ct);
                break;
        }
    }

    public override Task FlushAsync(CancellationToken ct) => _shape == Shape.Error ? Task.CompletedTask : client.FlushAsync(ct);

    /// <summary>Sends what is still held back: the error, translated once complete, or a stream's last events.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        if (_shape == Shape.Events) await RelayEventsAsync(ct);
        if (_shape != Shape.Error || _pending.Length == 0) return;
        var body = _pending.GetBuffer().AsSpan(0, (int)_pending.Length);
        byte[] translated;
        try
        {
            translated = MessagesResponses.Error(response.StatusCode, body);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Not the router's envelope after all (should not happen): pass it on rather than lose it.
            translated = body.ToArray();
        }
        response.ContentType = "application/json";
        response.ContentLength = translated.Length;
        await client.WriteAsync(translated, ct);
    }

    /// <summary>Sends every complete SSE event held so far, translating the router's own.</summary>
    private async Task RelayEventsAsync(CancellationToken ct)
    {
        var held = _pending.GetBuffer().AsMemory(0, (int)_pending.Length);
        var consumed = 0;
        while (true)
        {
            var rest = held[consumed..];
            var end = rest.Span.IndexOf("\n\n"u8);
            if (end < 0) break;
            var sseEvent = rest[..(end + 2)];
            await client.WriteAsync(RouterEventAsAnthropic(sseEvent.Span) ?? sseEvent, ct);
            consumed += end + 2;
        }
        var remaining = held[consumed..].ToArray();
        _pending.SetLength(0);
        _pending.Write(remaining);
    }

    /// <summary>The Anthropic form of an event the router wrote itself; null for the answer's own events.</summary>
    private static ReadOnlyMemory<byte>? RouterEventAsAnthropic(ReadOnlySpan<byte> sseEvent)
    {
        // A keep-alive comment: Anthropic's clients know ping events.
        if (sseEvent.StartsWith(":"u8)) return "event: ping\ndata: {\"type\": \"ping\"}\n\n"u8.ToArray();
        if (!sseEvent.StartsWith("data: "u8)) return null; // Anthropic's events begin with their event: line
        var data = sseEvent["data: "u8.Length..].TrimEnd("\n"u8);
        if (data.SequenceEqual("[DONE]"u8)) return ReadOnlyMemory<byte>.Empty;
        using var document = JsonDocument.Parse(data.ToArray());
        return document.RootElement.TryGetProperty("error", out var error) ? MessagesStreamTranslator.ErrorEvent(error) : null;
    }
}
