using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Router.Contracts.Configuration;

namespace Router.Host.Providers;

/// <summary>
/// The HTTP side of one OpenAI-compatible provider: a pooled connection handler with the provider's
/// connect timeout, its base URL, key and extra headers. Request and response bodies pass through
/// as bytes; nothing here parses them.
/// </summary>
public sealed class ProviderClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue? _authorization;
    // One parsed URI per endpoint path, not a string concatenation and a URI parse per request.
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
        if (settings.ApiKey is { Length: > 0 } key) _authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public ProviderSettings Settings { get; }

    public Task<HttpResponseMessage> SendAsync(string upstreamPath, byte[] body, CancellationToken ct)
    {
        var endpoint = _endpoints.GetOrAdd(upstreamPath, path => new Uri(Settings.ApiBase.AbsoluteUri.TrimEnd('/') + path));
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
        };
        request.Headers.Authorization = _authorization;
        foreach (var (name, value) in Settings.Headers) request.Headers.TryAddWithoutValidation(name, value);
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
