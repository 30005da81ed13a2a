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
/// One entry of the in-memory store. Its links put it in two lists at once, the recency order and its
/// expiry second's bucket, so taking it out of either is O(1). Every field but <see cref="LastRead"/> is
/// read and written only under the store's eviction lock.
/// </summary>
internal sealed class CacheNode(StoreKey key, CachedResponse value, DateTimeOffset expiresAt, long size)
{
    public StoreKey Key { get; } = key;
    public CachedResponse Value { get; } = value;
    public DateTimeOffset ExpiresAt { get; } = expiresAt;
    public long Size { get; } = size;

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
