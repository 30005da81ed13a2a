using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Pricing;

namespace Router.Host.Configuration;

/// <summary>What a reload did: the new table's size, and the changed settings that only a restart applies.</summary>
public sealed record ReloadResult(int Providers, int Models, IReadOnlyList<string> RestartRequired)
{
    /// <summary>The new configuration's keys with no effect (<see cref="RouterSettings.Warnings"/>), also logged.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// The routing configuration in force, and its reload (SIGHUP, <c>POST /config/reload</c>): the file is
/// read and checked again and, when valid, its routes, providers and prices apply from the next request
/// on. An invalid file changes nothing and says why.
/// </summary>
public sealed class LiveConfig
{
    private readonly Func<RouterSettings> _read;
    private readonly ModelCatalog _catalog;
    private readonly TimeProvider _clock;
    private readonly ILogger<LiveConfig> _logger;
    private readonly Lock _reloading = new();
    private RoutingConfig _current;

    /// <param name="read">Reads and checks the configuration as at start (same file, same overrides); throws when it is invalid.</param>
    public LiveConfig(RouterSettings initial, Func<RouterSettings> read, ModelCatalog catalog, TimeProvider clock, ILogger<LiveConfig> logger)
    {
        _read = read;
        _catalog = catalog;
        _clock = clock;
        _logger = logger;
        _current = RoutingConfig.Build(initial, catalog);
    }

    public RoutingConfig Current => Volatile.Read(ref _current);

    /// <summary>Reads the configuration again and puts it in force; throws <see cref="ConfigException"/> (nothing changed) when it is invalid.</summary>
    public ReloadResult Reload()
    {
        lock (_reloading)
        {
            RouterSettings settings;
            RoutingConfig next;
            try
            {
                settings = _read();
                next = RoutingConfig.Build(settings, _catalog);
            }
            catch (Exception e) when (e is ConfigException or ConfigurationException or ArgumentException or FormatException or IOException)
            {
                _logger.LogError("Configuration reload refused, the old configuration stays: {Reason}", e.Message);
                throw new ConfigException(e.Message);
            }
            var previous = Interlocked.Exchange(ref _current, next);
            RetireLater(previous);
            var restart = RestartOnly(previous.Settings, settings);
            _logger.LogInformation("Configuration reloaded: {Providers} providers, {Models} routes{Restart}",
                next.Settings.Providers.Count(p => p.IsUsable), next.Routes.Deployments.Count,
                restart.Count == 0 ? "" : "; these changes apply only after a restart: " + string.Join(", ", restart));
            UnpricedRoutes.Warn(_logger, next);
            foreach (var warning in settings.Warnings) _logger.LogWarning("Configuration: {Warning}", warning);
            return new ReloadResult(next.Settings.Providers.Count(p => p.IsUsable), next.Routes.Deployments.Count, restart)
            {
                Warnings = settings.Warnings,
            };
        }
    }

    /// <summary>Requests that started on the old table still use its clients: they are closed once the longest of them must have ended.</summary>
    private void RetireLater(RoutingConfig previous)
    {
        var longest = previous.Settings.Providers.Select(p => p.Timeouts.Total).DefaultIfEmpty(TimeSpan.Zero).Max() + TimeSpan.FromMinutes(1);
        _ = Task.Delay(longest, _clock).ContinueWith(_ => previous.Providers.Dispose(), TaskScheduler.Default);
    }

    /// <summary>The settings a running node cannot change in place (they shape its server, its stores or its actors).</summary>
    private static List<string> RestartOnly(RouterSettings old, RouterSettings next)
    {
        var changed = new List<string>();
        if (old.HttpUrls != next.HttpUrls) changed.Add("http.urls");
        if (old.HttpTls != next.HttpTls) changed.Add("http.tls");
        if (old.MasterKey != next.MasterKey) changed.Add("master-key");
        if (old.DataDir != next.DataDir) changed.Add("data-dir");
        if (old.MaxRequestBodyBytes != next.MaxRequestBodyBytes) changed.Add("max-request-body-bytes");
        if (old.AdmissionTimeout != next.AdmissionTimeout) changed.Add("admission-timeout");
        if (old.Breaker != next.Breaker) changed.Add("breaker");
        if (old.Cache.Enabled != next.Cache.Enabled || old.Cache.Redis != next.Cache.Redis || old.Cache.Ttl != next.Cache.Ttl
            || old.Cache.MaxBytes != next.Cache.MaxBytes || old.Cache.MaxTtl != next.Cache.MaxTtl || !SameEntries(old.Cache.Models, next.Cache.Models)
            || !old.Cache.SharedNamespaces.SetEquals(next.Cache.SharedNamespaces)
            || old.Cache.Secret != next.Cache.Secret || old.Cache.RedisPassword != next.Cache.RedisPassword || old.Cache.RedisCa != next.Cache.RedisCa)
            changed.Add("cache");
        if (old.RequestLog != next.RequestLog) changed.Add("request-log");
        if (old.Metrics != next.Metrics) changed.Add("metrics");
        if (old.Storage != next.Storage) changed.Add("storage");
        if (!SameCluster(old.Cluster, next.Cluster)) changed.Add("cluster");
        if (old.Settlement != next.Settlement) changed.Add("settlement");
        return changed;
    }

    // Records compare lists by reference: the seed nodes are compared by their entries.
    private static bool SameCluster(ClusterSettings a, ClusterSettings b) =>
        a with { SeedNodes = [] } == b with { SeedNodes = [] } && a.SeedNodes.SequenceEqual(b.SeedNodes);

    private static bool SameEntries<TValue>(IReadOnlyDictionary<string, TValue> a, IReadOnlyDictionary<string, TValue> b) =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var other) && Equals(pair.Value, other));
}
