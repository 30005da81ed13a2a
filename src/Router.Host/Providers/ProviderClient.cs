using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Router.Contracts.Configuration;
using Router.Host.Translation;

namespace Router.Host.Providers;

/// <summary>
/// The HTTP side of one provider: a pooled connection handler with the provider's connect timeout,
/// its base URL, key and extra headers, and the <see cref="IProviderDialect"/> its type speaks (from
/// <see cref="ProviderRegistry"/>). Bodies are
/// bytes here; the dialect makes and reads them.
/// </summary>
public sealed class ProviderClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;
    // One parsed URI per endpoint path, not a string concatenation and a URI parse per request. Paths
    // can hold the client's model name (Gemini), so the cache is bounded.
    private const int MaxCachedEndpoints = 256;
    private readonly ConcurrentDictionary<string, Uri> _endpoints = new(StringComparer.Ordinal);

    public ProviderClient(ProviderSettings settings)
    {
        Settings = settings;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = ConnectAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            UseCookies = false,
            AllowAutoRedirect = false,
        })
        {
            // Timeouts are enforced per phase by the caller (first byte, stream idle, total).
            Timeout = Timeout.InfiniteTimeSpan,
        };
        Dialect = ProviderRegistry.Of(settings.Type).CreateDialect(settings);
    }

    public ProviderSettings Settings { get; }

    public IProviderDialect Dialect { get; }

    /// <param name="connectTimeout">The calling deployment's connect timeout (deployments of one provider may differ).</param>
    public Task<HttpResponseMessage> SendAsync(UpstreamCall call, TimeSpan connectTimeout, CancellationToken ct)
    {
        if (!_endpoints.TryGetValue(call.Path, out var endpoint))
        {
            endpoint = new Uri(Settings.ApiBase.AbsoluteUri.TrimEnd('/') + call.Path);
            if (_endpoints.Count < MaxCachedEndpoints) _endpoints.TryAdd(call.Path, endpoint);
        }
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new ByteArrayContent(call.Body) { Headers = { ContentType = Json } },
        };
        if (Settings.ApiKey is { Length: > 0 } key) Dialect.Authenticate(request, key);
        foreach (var (name, value) in Settings.Headers) request.Headers.TryAddWithoutValidation(name, value);
        foreach (var (name, value) in call.Headers) request.Headers.TryAddWithoutValidation(name, value);
        // Only a deployment with its own connect timeout needs the option (and its per-request dictionary).
        if (connectTimeout != Settings.Timeouts.Connect) request.Options.Set(ConnectTimeoutOption, connectTimeout);
        return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    private static readonly HttpRequestOptionsKey<TimeSpan> ConnectTimeoutOption = new("router.connect-timeout");

    /// <summary>
    /// Opens a connection within the timeout of the request that needs it. (The handler's own
    /// ConnectTimeout is one value per handler, and one handler serves every deployment of a provider.)
    /// </summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var timeout = context.InitialRequestMessage.Options.TryGetValue(ConnectTimeoutOption, out var t) ? t : Settings.Timeouts.Connect;
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

    public void Dispose() => _http.Dispose();
}

/// <summary>The clients of every usable provider, by provider name.</summary>
public sealed class ProviderClients(IEnumerable<ProviderSettings> providers) : IDisposable
{
    private readonly Dictionary<string, ProviderClient> _byName =
        providers.Where(p => p.IsUsable).ToDictionary(p => p.Name, p => new ProviderClient(p), StringComparer.Ordinal);

    public ProviderClient Get(string name) => _byName[name];

    public void Dispose()
    {
        foreach (var client in _byName.Values) client.Dispose();
    }
}
