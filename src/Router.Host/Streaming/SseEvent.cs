namespace Router.Host.Streaming;

/// <summary>
/// One server-sent event as the upstream sent it (<see cref="Raw"/>, relayed byte for byte) and the
/// payload of its <c>data:</c> lines (<see cref="Data"/>, what the router inspects).
/// </summary>
public sealed record SseEvent(byte[] Raw, bool HasData, ReadOnlyMemory<byte> Data)
{
    public bool IsDone => HasData && Data.Span.SequenceEqual("[DONE]"u8);

    public static SseEvent Parse(byte[] raw)
    {
        var hasData = false;
        ReadOnlyMemory<byte> data = default;
        List<byte>? joined = null;
        var offset = 0;
        while (offset < raw.Length)
        {
            var newline = Array.IndexOf(raw, (byte)'\n', offset);
            var end = newline < 0 ? raw.Length : newline;
            var line = new ReadOnlyMemory<byte>(raw, offset, end - offset);
            if (line.Span is [.., (byte)'\r']) line = line[..^1];
            offset = end + 1;

            if (!line.Span.StartsWith("data:"u8)) continue; // comments, event:, id:, retry:
            var value = line[5..];
            if (value.Span is [(byte)' ', ..]) value = value[1..];
            if (!hasData)
            {
                data = value;
                hasData = true;
                continue;
            }
            // Several data lines form one payload joined by newlines (rare: most servers send one).
            joined ??= [.. data.Span];
            joined.Add((byte)'\n');
            joined.AddRange(value.Span);
        }
        return new SseEvent(raw, hasData, joined is null ? data : joined.ToArray());
    }
}
