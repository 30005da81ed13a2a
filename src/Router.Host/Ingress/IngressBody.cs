using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Proxy;

namespace Router.Host.Ingress;

/// <summary>An ingress's request body, read whole (its bytes travel on for a provider that takes them as written).</summary>
public static class IngressBody
{
    /// <summary>The body as the walk carries it, with the client's bytes kept in <see cref="ProxyRequest.Source"/>.</summary>
    public static async Task<ProxyRequest> ReadRequestAsync(HttpContext context, long maxBodyBytes)
    {
        var body = await ReadAsync(context, maxBodyBytes);
        var request = ProxyRequestBody.Parse(body);
        return new ProxyRequest { Model = request.Model, Stream = request.Stream, StreamOptions = request.StreamOptions, Rest = request.Rest, Source = body };
    }

    /// <summary>The body's bytes, read as the chat path reads them (<see cref="PooledBody"/>) and copied out once: they travel on.</summary>
    private static async Task<byte[]> ReadAsync(HttpContext context, long maxBodyBytes)
    {
        using var body = await PooledBody.ReadAsync(context.Request, maxBodyBytes, context.RequestAborted);
        return body.Span.ToArray();
    }
}
