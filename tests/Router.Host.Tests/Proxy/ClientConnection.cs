using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Router.Host.Tests.Proxy;

/// <summary>
/// The client's side of one request, in memory: a <see cref="DefaultHttpContext"/> whose response body is kept,
/// which counts as started once anything is written (as a server's does, and as the retry rules read it), and
/// whose <c>RequestAborted</c> the test cancels to make the client leave.
/// </summary>
internal sealed class ClientConnection : IDisposable
{
    private readonly ResponseFeature _response = new();
    private readonly CancellationTokenSource _leaves = new();
    private readonly StartingBody _body;

    public ClientConnection()
    {
        _body = new StartingBody(_response);
        Context.Features.Set<IHttpResponseFeature>(_response);
        Context.Response.Body = _body;
        Context.RequestAborted = _leaves.Token;
    }

    public DefaultHttpContext Context { get; } = new();

    public HttpResponse Response => Context.Response;

    public string Body => Encoding.UTF8.GetString(_body.ToArray());

    public void Leave() => _leaves.Cancel();

    public void Dispose() => _leaves.Dispose();

    private sealed class ResponseFeature : HttpResponseFeature
    {
        public bool Started { get; set; }
        public override bool HasStarted => Started;
    }

    private sealed class StartingBody(ResponseFeature response) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            response.Started = true;
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            response.Started = true;
            base.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
        {
            response.Started = true;
            return base.WriteAsync(buffer, offset, count, ct);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            response.Started = true;
            return base.WriteAsync(buffer, ct);
        }
    }
}
