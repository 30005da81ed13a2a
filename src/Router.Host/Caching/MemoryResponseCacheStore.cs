namespace Router.Host.Caching;

/// <summary>
/// Cached answers in process memory: least-recently-used entries go first once the bodies (plus a small
/// per-entry overhead) would exceed <c>maxBytes</c>; an expired entry is never returned. An entry larger
/// than the whole budget is not stored.
/// </summary>
public sealed class MemoryResponseCacheStore(long maxBytes, TimeProvider clock) : IResponseCacheStore
{
    /// <summary>What an entry costs beyond its body: the node, the key and the record, roughly.</summary>
    internal const int EntryOverhead = 256;

    private sealed record Entry(CacheEntryKey Key, CachedResponse Value, DateTimeOffset ExpiresAt, long Size);

    private readonly Lock _gate = new();
    private readonly Dictionary<CacheEntryKey, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _lru = new(); // most recently used first
    private long _bytes;

    public CacheHealth Health => CacheHealth.Ok;

    /// <summary>The bytes the entries now take, as counted against the budget.</summary>
    public long Bytes { get { lock (_gate) return _bytes; } }

    public int Count { get { lock (_gate) return _entries.Count; } }

    public static long SizeOf(CacheEntryKey key, CachedResponse value) =>
        value.Body.LongLength + 2L * (key.Namespace.Length + key.Model.Length + key.Hash.Length) + EntryOverhead;

    public Task<CachedResponse?> GetAsync(CacheEntryKey key, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var node)) return Task.FromResult<CachedResponse?>(null);
            if (node.Value.ExpiresAt <= now)
            {
                Remove(node);
                return Task.FromResult<CachedResponse?>(null);
            }
            _lru.Remove(node);
            _lru.AddFirst(node);
            return Task.FromResult<CachedResponse?>(node.Value.Value);
        }
    }

    public Task SetAsync(CacheEntryKey key, CachedResponse value, TimeSpan ttl, CancellationToken ct)
    {
        if (ttl <= TimeSpan.Zero) return Task.CompletedTask;
        var size = SizeOf(key, value);
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var old)) Remove(old);
            if (size > maxBytes) return Task.CompletedTask;
            if (_bytes + size > maxBytes) RemoveExpired(now);
            while (_bytes + size > maxBytes && _lru.Last is { } oldest) Remove(oldest);
            var node = _lru.AddFirst(new Entry(key, value, now + ttl, size));
            _entries[key] = node;
            _bytes += size;
        }
        return Task.CompletedTask;
    }

    public Task<long> FlushAsync(CacheScope scope, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        long removed = 0;
        lock (_gate)
        {
            for (var node = _lru.First; node is not null;)
            {
                var next = node.Next;
                if (scope.Matches(node.Value.Key))
                {
                    if (node.Value.ExpiresAt > now) removed++;
                    Remove(node);
                }
                node = next;
            }
        }
        return Task.FromResult(removed);
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        for (var node = _lru.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.ExpiresAt <= now) Remove(node);
            node = next;
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _lru.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Size;
    }
}
