namespace Router.Host.Caching;

/// <summary>
/// Entries read from Redis that failed their authentication (<see cref="CacheEntryEnvelope.TryOpen"/>): counted
/// for <c>router_cache_rejected_entries_total</c> and logged at most once a minute, with how many, never what
/// they held or under which key (a planted entry's content is the attacker's text).
/// </summary>
public sealed class RejectedCacheEntries(ILogger logger, TimeProvider clock)
{
    public static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private long _total;
    private long _unlogged;
    private DateTimeOffset? _lastLoggedAt;

    public long Total => Interlocked.Read(ref _total);

    public void Count()
    {
        Interlocked.Increment(ref _total);
        long count;
        lock (_gate)
        {
            _unlogged++;
            var now = clock.GetUtcNow();
            if (_lastLoggedAt is { } last && now - last < LogInterval) return;
            _lastLoggedAt = now;
            count = _unlogged;
            _unlogged = 0;
        }
        logger.LogWarning(
            "Response cache: {Count} entries read from redis failed their authentication and were treated as misses "
            + "(altered or planted in Redis, moved to another key, written under another router.cache.secret, or by an older version)",
            count);
    }
}
