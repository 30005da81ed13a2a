using System.Buffers;

namespace Router.Host.Http;

/// <summary>
/// A body read whole into a buffer from the shared pool, to be parsed in one pass and given back. Parsing straight
/// from the stream buffers it as well, but a value the parser must hold whole (a conversation's messages) that outgrows its
/// buffer is scanned again from its start each time the buffer doubles (from 16 KB to 256 KB for a 200 KB conversation).
/// </summary>
public sealed class PooledBody : IDisposable
{
    // A first buffer for a body of unknown length, and the most a declared length reserves before any of it arrives.
    private const int UnknownLengthStart = 16 * 1024;
    private const int DeclaredLengthCap = 1024 * 1024;

    private byte[] _buffer;
    private int _length;

    private PooledBody(byte[] buffer) => _buffer = buffer;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    /// <summary>
    /// The whole body. Kestrel refuses one past the router's limit, <paramref name="maxBodyBytes"/>, by its declared length
    /// or while a chunked one is read: the router's 413 then says what the limit is.
    /// </summary>
    public static async ValueTask<PooledBody> ReadAsync(HttpRequest request, long maxBodyBytes, CancellationToken cancellation)
    {
        try
        {
            return await ReadAsync(request.Body, request.ContentLength, cancellation);
        }
        // Kestrel's refusals of a body are the client's doing, not the router's: a client that left halfway (then the
        // request is abandoned, as when it leaves later), or one whose body is too large, too slow or badly chunked.
        catch (BadHttpRequestException bad)
        {
            throw cancellation.IsCancellationRequested ? new OperationCanceledException(bad.Message, bad, cancellation)
                : bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? RouterError.BodyTooLarge(maxBodyBytes)
                : RouterError.BrokenBody(bad.StatusCode, bad.Message);
        }
    }

    /// <summary>
    /// A provider's whole answer, as one array of its size: <see cref="HttpContent.ReadAsByteArrayAsync()"/> buffers the answer
    /// and then copies the buffer, two arrays of its size where a long answer takes two of the large object heap's.
    /// </summary>
    public static async Task<byte[]> ReadAllAsync(HttpContent content, CancellationToken cancellation)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellation);
        using var body = await ReadAsync(stream, content.Headers.ContentLength, cancellation);
        return body.Span.ToArray();
    }

    /// <summary>Reads <paramref name="source"/> to its end, or to <paramref name="declared"/> bytes: one that ends sooner is cut short
    /// (Kestrel and HttpClient say so first, for a request and an answer).</summary>
    private static async ValueTask<PooledBody> ReadAsync(Stream source, long? declared, CancellationToken cancellation)
    {
        var body = new PooledBody(ArrayPool<byte>.Shared.Rent((int)Math.Clamp(declared ?? UnknownLengthStart, 1, DeclaredLengthCap)));
        try
        {
            while (body._length != declared)
            {
                if (body._length == body._buffer.Length) body.Grow();
                var read = await source.ReadAsync(body._buffer.AsMemory(body._length), cancellation);
                if (read == 0) break;
                body._length += read;
            }
            if (body._length < declared) throw new IOException($"The body ended after {body._length} of its {declared} bytes.");
            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    private void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        Span.CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        (_buffer, _length) = ([], 0);
    }
}
