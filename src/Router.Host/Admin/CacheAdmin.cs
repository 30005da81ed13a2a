using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Caching;
using Router.Host.Metrics;

namespace Router.Host.Admin;

/// <summary>The response cache of this node for <c>router cache stats</c>: its store, its size where known, and its hits and misses.</summary>
public sealed class CacheAdmin(AdminNode node, RouterSettings settings, IResponseCacheStore store, IServiceProvider services)
{
    public CacheStatsView Stats()
    {
        var health = store.Health;
        var memory = store as MemoryResponseCacheStore;
        // Counted by the metrics, which count nothing while router.metrics is off: then unknown, not zero.
        (long Hits, long Misses, long Bypasses, decimal SavedCost)? counts =
            settings.Metrics.Enabled ? services.GetRequiredService<RouterMetrics>().CacheCounts : null;
        return new CacheStatsView(
            node.Name, settings.Cache.Enabled, memory is null ? "redis" : "memory",
            health.State == CacheHealthState.Ok ? "ok" : "degraded", health.Detail,
            memory?.Count, memory?.Bytes, memory is null ? null : settings.Cache.MaxBytes,
            counts?.Hits, counts?.Misses, counts?.Bypasses, counts?.SavedCost);
    }
}
