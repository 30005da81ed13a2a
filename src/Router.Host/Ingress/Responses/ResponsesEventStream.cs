using System.Text.Json;
using Router.Host.Translation.Responses;

namespace Router.Host.Ingress.Responses;

/// <summary>
/// Stands in for the response body of a Responses request. A JSON answer or error passes as written (the Responses
/// API's errors are OpenAI's envelope, which the router's already is). Inside a stream, the events pass as written
/// and are counted, and what the router says in its own words is made a Responses event: its error event becomes
/// an <c>error</c> event with the next <c>sequence_number</c>, and its <c>[DONE]</c>, which the Responses API does
/// not send, is dropped.
/// </summary>
public sealed class ResponsesEventStream(HttpResponse response, Stream client) : ShapingStream
{
    private readonly MemoryStream _pending = new();
    private bool? _events;
    private int _sequence;
    private MemoryStream? _answer;

    /// <summary>The response object the client was sent whole: a JSON answer, or the one <c>response.completed</c> carried.</summary>
    public byte[]? Completed { get; private set; }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        _events ??= response.StatusCode == 200 && response.ContentType?.StartsWith("text/event-stream", StringComparison.Ordinal) == true;
        if (_events == false)
        {
            if (response.StatusCode == 200) (_answer ??= new MemoryStream()).Write(buffer.Span);
            await client.WriteAsync(buffer, ct);
            return;
        }
        _pending.Write(buffer.Span);
        var held = _pending.GetBuffer().AsMemory(0, (int)_pending.Length);
        var consumed = 0;
        while (held[consumed..].Span.IndexOf("\n\n"u8) is var end and >= 0)
        {
            var sseEvent = held.Slice(consumed, end + 2);
            await client.WriteAsync(Shape(sseEvent), ct);
            consumed += end + 2;
        }
        var remaining = held[consumed..].ToArray();
        _pending.SetLength(0);
        _pending.Write(remaining);
    }

    public override Task FlushAsync(CancellationToken ct) => client.FlushAsync(ct);

    private ReadOnlyMemory<byte> Shape(ReadOnlyMemory<byte> sseEvent)
    {
        var span = sseEvent.Span;
        if (span.StartsWith(":"u8)) return sseEvent; // a keep-alive comment, which SSE clients skip
        if (!span.StartsWith("data: "u8))
        {
            _sequence++;
            if (span.StartsWith("event: response.completed\n"u8) || span.StartsWith("event: response.incomplete\n"u8)) Keep(span);
            return sseEvent; // a Responses event, which begins with its event: line
        }
        var data = span["data: "u8.Length..].TrimEnd("\n"u8);
        if (data.SequenceEqual("[DONE]"u8)) return ReadOnlyMemory<byte>.Empty;
        using var document = JsonDocument.Parse(data.ToArray());
        if (!document.RootElement.TryGetProperty("error", out var error)) return sseEvent;
        return ResponsesStreamTranslator.Event("error", _sequence++, json =>
        {
            foreach (var field in error.EnumerateObject())
                if (field.Name is not "type") field.WriteTo(json);
        });
    }

    /// <summary>The response a closing event carries.</summary>
    private void Keep(ReadOnlySpan<byte> closing)
    {
        var data = closing[(closing.IndexOf("data: "u8) + "data: "u8.Length)..].TrimEnd("\n"u8);
        using var document = JsonDocument.Parse(data.ToArray());
        if (document.RootElement.TryGetProperty("response", out var whole)) Completed = System.Text.Encoding.UTF8.GetBytes(whole.GetRawText());
    }

    /// <summary>Ends the capture of a JSON answer once the walk is over.</summary>
    public void Finish()
    {
        if (_answer is not null) Completed = _answer.ToArray();
    }
}
