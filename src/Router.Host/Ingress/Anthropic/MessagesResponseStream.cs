using System.Text.Json;

namespace Router.Host.Ingress.Anthropic;

/// <summary>
/// Stands in for the response body while the router answers a Messages request in OpenAI's shapes, and
/// turns what is written into Anthropic's: an event stream event by event as it is flushed (so tokens
/// reach the client as they arrive), a JSON answer or an error once it is complete.
/// </summary>
public sealed class MessagesResponseStream(HttpResponse response, Stream client, MessagesStreamTranslator translator) : Stream
{
    private readonly MemoryStream _pending = new();
    private bool? _streaming;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        // The relay sets the event-stream type before its first frame; anything else is one JSON body.
        _streaming ??= response.StatusCode == 200 && response.ContentType?.StartsWith("text/event-stream", StringComparison.Ordinal) == true;
        _pending.Write(buffer.Span);
        if (_streaming == true) await RelayEventsAsync(ct);
    }

    public override Task FlushAsync(CancellationToken ct) => _streaming == true ? client.FlushAsync(ct) : Task.CompletedTask;

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Sends what is still held back: the translated JSON answer or error, or a stream's closing events.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        if (_streaming == true)
        {
            await RelayEventsAsync(ct);
            if (translator.Finished) return;
            var closing = new List<byte[]>();
            translator.Finish(closing);
            foreach (var frame in closing) await client.WriteAsync(frame, ct);
            await client.FlushAsync(ct);
            return;
        }
        if (_pending.Length == 0) return;
        var body = _pending.GetBuffer().AsSpan(0, (int)_pending.Length);
        byte[] translated;
        try
        {
            translated = response.StatusCode >= 400 ? MessagesResponses.Error(response.StatusCode, body) : MessagesResponses.Message(body);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Not an OpenAI shape after all (should not happen): pass it on rather than lose it.
            translated = body.ToArray();
        }
        response.ContentType = "application/json";
        response.ContentLength = translated.Length;
        await client.WriteAsync(translated, ct);
    }

    /// <summary>Translates every complete SSE event held so far and sends the result.</summary>
    private async Task RelayEventsAsync(CancellationToken ct)
    {
        var events = new List<byte[]>();
        var held = _pending.GetBuffer().AsMemory(0, (int)_pending.Length);
        var consumed = 0;
        while (true)
        {
            var rest = held.Span[consumed..];
            var end = rest.IndexOf("\n\n"u8);
            if (end < 0) break;
            TranslateEvent(rest[..end], events);
            consumed += end + 2;
        }
        var remaining = held[consumed..].ToArray();
        _pending.SetLength(0);
        _pending.Write(remaining);
        foreach (var frame in events) await client.WriteAsync(frame, ct);
    }

    private void TranslateEvent(ReadOnlySpan<byte> sseEvent, List<byte[]> events)
    {
        foreach (var line in sseEvent.Split((byte)'\n'))
        {
            var text = sseEvent[line];
            if (text.StartsWith("data: "u8)) translator.Accept(text["data: "u8.Length..], events);
            // A keep-alive comment: Anthropic's clients know ping events.
            else if (text.StartsWith(":"u8) && !translator.Finished) events.Add("event: ping\ndata: {\"type\": \"ping\"}\n\n"u8.ToArray());
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
