using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Router.Contracts.Configuration;
using Router.Host.Translation;

namespace Router.Host.Providers;

/// <summary>
/// The HTTP side of one provider: a pooled connection handler with the provider's connect timeout,
/// its base URL, key and extra headers, and the <see cref="IProviderDialect"/> it speaks. Bodies are
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
            ConnectTimeout = settings.Timeouts.Connect,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            UseCookies = false,
            AllowAutoRedirect = false,
        })
        {
            // Timeouts are enforced per phase by the caller (first byte, stream idle, total).
            Timeout = Timeout.InfiniteTimeSpan,
        };
        Dialect = ProviderDialects.For(settings);
    }

    public ProviderSettings Settings { get; }

    public IProviderDialect Dialect { get; }

    public Task<HttpResponseMessage> SendAsync(UpstreamCall call, CancellationToken ct)
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
        if (Settings.ApiKey is { Length: > 0 } key) Dialect.Authenticate(request.Headers, key);
        foreach (var (name, value) in Settings.Headers) request.Headers.TryAddWithoutValidation(name, value);
        foreach (var (name, value) in call.Headers) request.Headers.TryAddWithoutValidation(name, value);
        return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
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
