using System.Net.Sockets;
using Router.Contracts.Configuration;

namespace Router.Host.Providers;

/// <summary>
/// The pooled connections to one provider: the handler a <see cref="ProviderClient"/> sends through unless a
/// test gives it another. Each request may carry its deployment's own connect timeout.
/// </summary>
public static class ProviderConnections
{
    /// <summary>A deployment's connect timeout, set on a request only when it differs from the provider's.</summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> ConnectTimeout = new("router.connect-timeout");

    public static SocketsHttpHandler CreateHandler(ProviderSettings settings) => new()
    {
        ConnectCallback = (context, ct) => ConnectAsync(context, settings.Timeouts.Connect, ct),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        UseCookies = false,
        AllowAutoRedirect = false,
    };

    /// <summary>
    /// Opens a connection within the timeout of the request that needs it. (The handler's own
    /// ConnectTimeout is one value per handler, and one handler serves every deployment of a provider.)
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, TimeSpan providerTimeout, CancellationToken ct)
    {
        var timeout = context.InitialRequestMessage.Options.TryGetValue(ConnectTimeout, out var t) ? t : providerTimeout;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, limit.Token);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"No connection to {context.DnsEndPoint.Host}:{context.DnsEndPoint.Port} within {timeout.TotalSeconds:0.#} s.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
