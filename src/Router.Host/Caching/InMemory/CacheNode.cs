using Router.Contracts.Wire;

namespace Router.Host.Caching.InMemory;

/// <summary>
/// The identity of an entry as the in-memory store's dictionary holds it: a struct, so an entry keeps no
/// key object of its own alive (a full cache holds about 80,000 entries, and every object in them is
/// work for each full garbage collection).
/// </summary>
internal readonly record struct StoreKey(string Namespace, string Model, string Hash)
{
    public static StoreKey Of(CacheEntryKey key) => new(key.Namespace, key.Model, key.Hash);

    public CacheEntryKey ToEntryKey() => new(Namespace, Model, Hash);
}

/// <summary>
/// One entry of the in-memory store, holding the answer's parts itself rather than a
/// <see cref="CachedResponse"/> (one object fewer per entry; a hit makes the record). Its links put it in
/// two lists at once, the recency order and its expiry second's bucket, so taking it out of either is
/// O(1). Every field but <see cref="LastRead"/> is read and written only under the store's eviction lock.
/// </summary>
internal sealed class CacheNode(StoreKey key, CachedResponse value, DateTimeOffset expiresAt, long size)
{
    public StoreKey Key { get; } = key;
    private readonly byte[] _body = value.Body;
    private readonly TokenUsage _usage = value.Usage;
    private readonly decimal _cost = value.Cost;
    private readonly DateTimeOffset _storedAt = value.StoredAt;
    public DateTimeOffset ExpiresAt { get; } = expiresAt;
    public long Size { get; } = size;

    public CachedResponse Value => new(_body, _usage, _cost, _storedAt);

    /// <summary>When a hit last returned it (<see cref="System.Diagnostics.Stopwatch"/> ticks), written without a lock by the hit.</summary>
    public long LastRead;

    /// <summary>Whether it is still in the store: false once evicted, expired, flushed or replaced.</summary>
    public bool Live;

    public CacheNode? Newer;
    public CacheNode? Older;

    public long ExpirySecond;
    public CacheNode? NextToExpire;
    public CacheNode? PreviousToExpire;
}
