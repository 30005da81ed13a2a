using Router.Contracts.Wire;

namespace Router.Host.Caching;

/// <summary>
/// One cached answer: always a complete OpenAI JSON body (<c>chat.completion</c>, <c>text_completion</c> or an
/// embeddings list), and what produced it, against which a hit is checked.
/// </summary>
public sealed record CachedResponse(byte[] Body, TokenUsage Usage, decimal Cost, DateTimeOffset StoredAt, CacheProducer Producer);

/// <summary>Which entries a flush removes: all when every field is null; else those matching every field given.</summary>
public sealed record CacheScope(string? Model = null, string? Namespace = null, string? EntryId = null)
{
    public bool Matches(CacheEntryKey key) =>
        (Model is null || key.Model == Model) &&
        (Namespace is null || key.Namespace == Namespace) &&
        (EntryId is null || key.Id == EntryId);
}

/// <summary>
/// Where an entry lives: its namespace ("default" unless the caller set one), the model actually routed,
/// and the hash of the canonical request (see <see cref="CacheKeys"/>; it covers the namespace too, so
/// <see cref="Id"/> names one entry).
/// </summary>
public sealed record CacheEntryKey(string Namespace, string Model, string Hash)
{
    /// <summary>A stable printable id of the entry, what a flush by <see cref="CacheScope.EntryId"/> names.</summary>
    public string Id => Hash;
}

public enum CacheHealthState { Ok, Degraded }

public sealed record CacheHealth(CacheHealthState State, string Detail)
{
    public static readonly CacheHealth Ok = new(CacheHealthState.Ok, "ok");
}

/// <summary>
/// Where cached answers are kept. Reads and writes never throw because the store is unreachable: a read
/// is then a miss, a write is skipped, and <see cref="Health"/> says so.
/// </summary>
public interface IResponseCacheStore
{
    /// <summary>The entry, or null on a miss, an expired entry, and an outage (never throws for an outage).</summary>
    Task<CachedResponse?> GetAsync(CacheEntryKey key, CancellationToken ct);

    /// <summary>Stores an entry for <paramref name="ttl"/>; never throws for an outage.</summary>
    Task SetAsync(CacheEntryKey key, CachedResponse value, TimeSpan ttl, CancellationToken ct);

    /// <summary>Removes the entries in <paramref name="scope"/>; returns how many were removed.</summary>
    Task<long> FlushAsync(CacheScope scope, CancellationToken ct);

    CacheHealth Health { get; }
}
