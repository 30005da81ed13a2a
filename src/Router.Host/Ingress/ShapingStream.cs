using Microsoft.AspNetCore.Http.Features;

namespace Router.Host.Ingress;

/// <summary>
/// A response body an ingress puts in front of the client's, to reshape what the walk writes into its client API's
/// shapes. Only writing is supported; a subclass says what a write and a flush do.
/// </summary>
public abstract class ShapingStream : Stream
{
    /// <summary>
    /// Runs the walk with the body <paramref name="shape"/> makes in front of the client's, and puts the client's back
    /// after: what the shaping stream still holds is its caller's to finish.
    /// </summary>
    public static async Task<T> AroundWalkAsync<T>(HttpContext context, Func<HttpResponse, Stream, T> shape, Func<Task> walk) where T : ShapingStream
    {
        var client = context.Features.Get<IHttpResponseBodyFeature>()!;
        var shaping = shape(context.Response, client.Stream);
        context.Response.Body = shaping;
        try
        {
            await walk();
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
        finally
        {
            context.Features.Set(client);
        }
        return shaping;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public abstract override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default);

    public abstract override Task FlushAsync(CancellationToken ct);

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
