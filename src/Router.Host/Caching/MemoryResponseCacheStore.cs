using System.Collections.Concurrent;
using System.Diagnostics;
using Router.Host.Caching.InMemory;

namespace Router.Host.Caching;

/// <summary>
/// Cached answers in process memory: least-recently-used entries go first once the bodies (plus a small
/// per-entry overhead) would exceed <c>maxBytes</c>; an expired entry is never returned, and expired
/// entries make room before live ones are evicted. An entry larger than the whole budget is not stored.
/// </summary>
/// <remarks>
/// Every operation but a flush is O(1) amortized, whatever the number of entries (a full 64 MB store holds
/// about 80,000 small answers). A hit takes no lock: it looks the entry up in a concurrent dictionary and
/// notes the read in <see cref="RecentReads"/>. Writes, the replay of noted reads into the recency order,
/// and the collection of expired entries (on each write, and every second for an idle store) share one
/// eviction lock. No library holds this contract: <c>MemoryCache</c> with a <c>SizeLimit</c> refuses new
/// entries while full and compacts later by sorting every entry, and BitFaster.Caching bounds a count,
/// not bytes (bench/README.md, issue 25).
/// </remarks>
public sealed class MemoryResponseCacheStore : IResponseCacheStore, IDisposable
{
    /// <summary>
    /// The objects every entry holds besides its body and key strings, in bytes on a 64-bit runtime: the node (128),
    /// the response record (72), its token usage (64), the dictionary's node (64), the producer (40) and the
    /// dictionary's table slot with the objects' padding (32). Counted so that max-bytes bounds the heap the cache
    /// holds: with 256 here a full 64 MB cache of small answers held 90 MB of heap (bench/README.md, issue 24).
    /// </summary>
    internal const int EntryOverhead = 400;

    /// <summary>An array's or a string's header and length on a 64-bit runtime (a string's terminator in its padding).</summary>
    private const int ObjectHeader = 24;

    private readonly long _maxBytes;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<StoreKey, CacheNode> _entries = new();
    private readonly RecentReads _reads = new();
    private readonly ITimer _expirySweep;

    private readonly Lock _evictionLock = new();
    private readonly RecencyList _recency = new();
    private readonly ExpiryBuckets _expiry;
    private readonly List<(long ReadAt, CacheNode Node)> _replay = [];
    private long _bytes;
    private int _count;

    public MemoryResponseCacheStore(long maxBytes, TimeProvider clock)
    {
        _maxBytes = maxBytes;
        _clock = clock;
        _expiry = new ExpiryBuckets(clock.GetUtcNow());
        _expirySweep = clock.CreateTimer(static store => ((MemoryResponseCacheStore)store!).SweepExpired(), this,
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public CacheHealth Health => CacheHealth.Ok;

    /// <summary>The bytes the entries now take, as counted against the budget.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    public int Count => Volatile.Read(ref _count);

    public static long SizeOf(CacheEntryKey key, CachedResponse value) =>
        ObjectHeader + value.Body.LongLength + StringSize(key.Namespace) + StringSize(key.Model) + StringSize(key.Hash) + EntryOverhead;

    private static long StringSize(string text) => ObjectHeader + 2L * text.Length;

    public Task<CachedResponse?> GetAsync(CacheEntryKey key, CancellationToken ct)
    {
        if (!_entries.TryGetValue(StoreKey.Of(key), out var node) || node.ExpiresAt <= _clock.GetUtcNow())
            return Task.FromResult<CachedResponse?>(null); // an expired entry leaves with the next write or sweep
        Volatile.Write(ref node.LastRead, Stopwatch.GetTimestamp());
        if (_reads.Record(node) && _evictionLock.TryEnter())
        {
            try { ReplayReads(); }
            finally { _evictionLock.Exit(); }
        }
        return Task.FromResult<CachedResponse?>(node.Value);
    }

    public Task SetAsync(CacheEntryKey key, CachedResponse value, TimeSpan ttl, CancellationToken ct)
    {
        if (ttl <= TimeSpan.Zero) return Task.CompletedTask;
        var size = SizeOf(key, value);
        var now = _clock.GetUtcNow();
        lock (_evictionLock)
        {
            ReplayReads();
            var storeKey = StoreKey.Of(key);
            if (_entries.TryGetValue(storeKey, out var old)) Unlink(old);
            if (size > _maxBytes) return Task.CompletedTask;
            RemoveExpired(now);
            while (_bytes + size > _maxBytes && _recency.Oldest is { } oldest) Unlink(oldest);
            Link(new CacheNode(storeKey, value, now + ttl, size));
        }
        return Task.CompletedTask;
    }

    public Task<long> FlushAsync(CacheScope scope, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        long removed = 0;
        lock (_evictionLock)
        {
            for (var node = _recency.Newest; node is not null;)
            {
                var older = node.Older;
                if (scope.Matches(node.Key.ToEntryKey()))
                {
                    if (node.ExpiresAt > now) removed++;
                    Unlink(node);
                }
                node = older;
            }
        }
        return Task.FromResult(removed);
    }

    public void Dispose() => _expirySweep.Dispose();

    private void SweepExpired()
    {
        lock (_evictionLock)
        {
            ReplayReads();
            RemoveExpired(_clock.GetUtcNow());
        }
    }

    private void ReplayReads()
    {
        _reads.Drain(_replay);
        foreach (var (_, node) in _replay)
            if (node.Live) _recency.MoveToNewest(node);
        _replay.Clear();
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        while (_expiry.FirstDue(now) is { } due) Unlink(due);
    }

    private void Link(CacheNode node)
    {
        node.Live = true;
        _recency.AddNewest(node);
        _expiry.Add(node);
        _entries[node.Key] = node;
        _bytes += node.Size;
        _count++;
    }

    private void Unlink(CacheNode node)
    {
        node.Live = false;
        _recency.Remove(node);
        _expiry.Remove(node);
        _entries.TryRemove(new KeyValuePair<StoreKey, CacheNode>(node.Key, node));
        _bytes -= node.Size;
        _count--;
    }
}
