namespace Router.Host.Tests.Streaming;

/// <summary>A read-only stream that hands out its bytes 1, 2 or 3 at a time, like a slow network.</summary>
public sealed class TrickleStream(byte[] content, int seed = 7) : ReadOnlyTestStream
{
    private readonly Random _random = new(seed);
    private int _position;

    public int Reads { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        Reads++;
        var n = Math.Min(Math.Min(buffer.Length, _random.Next(1, 4)), content.Length - _position);
        content.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return Read(buffer.Span);
    }
}
