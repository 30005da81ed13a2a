using System.Collections.Concurrent;
using BitFaster.Caching.Lru;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using Router.Host.Http;
using Router.Host.Storage;

namespace Router.Host.Keys;

/// <summary>One row of the key directory: never the secret, only its hash and a prefix safe to show.</summary>
public sealed record KeyEntry(string KeyId, string SecretHash, string DisplayPrefix, string? Alias, DateTimeOffset CreatedAt);

/// <summary>
/// The index from a presented key's hash to its key id (its budget actor), kept in the <c>virtual_keys</c>
/// table (SQLite or PostgreSQL: see <see cref="RouterStorage"/>). It only says which actor to ask: the actor
/// checks the secret, blocked, expired and deleted on every admission, so a stale cache entry can never let a
/// key through.
/// <para>
/// Hashes found are cached for good (until rehashed or removed here); hashes not found are remembered
/// for a minute, the most recent <see cref="MaxNegative"/> of them, so a flood of wrong keys costs at most
/// one query per distinct key and minute, not one per request, and a flood of distinct ones cannot grow
/// the memory. Id lookups and listings are admin work and read the table.
/// </para>
/// </summary>
public sealed class KeyDirectory(RouterStorage storage, TimeProvider clock)
{
    public const string KeyIdPrefix = "key_";
    private static readonly TimeSpan NegativeTtl = TimeSpan.FromMinutes(1);
    public const int MaxNegative = 10_000;

    private readonly ConcurrentDictionary<string, KeyEntry> _byHash = new(StringComparer.Ordinal);
    // Each miss with the time it is forgotten; least recently missed out first once full.
    private readonly ConcurrentLru<string, DateTimeOffset> _unknown = new(Environment.ProcessorCount, MaxNegative, StringComparer.Ordinal);
    private readonly Lock _changes = new();
    // Bumped on every write, so a lookup that raced a write does not remember its miss.
    private long _version;

    /// <summary>A new key id: random, and stable for the key's life (regenerating keeps it, so spend stays with it).</summary>
    public static string NewKeyId() => KeyIdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static bool LooksLikeKeyId(string text) =>
        text.Length == KeyIdPrefix.Length + 16 && text.StartsWith(KeyIdPrefix, StringComparison.Ordinal)
        && text.AsSpan(KeyIdPrefix.Length).ContainsAnyExcept("0123456789abcdef") is false;

    /// <summary>How many hashes not found are remembered now: never more than <see cref="MaxNegative"/>.</summary>
    public int RememberedMisses => _unknown.Count;

    public string? FindKeyId(string secretHash) => FindByHash(secretHash)?.KeyId;

    public KeyEntry? FindByHash(string secretHash)
    {
        if (_byHash.TryGetValue(secretHash, out var cached)) return cached;
        var now = clock.GetUtcNow();
        if (_unknown.TryGet(secretHash, out var until) && until > now) return null;

        var version = Interlocked.Read(ref _version);
        var entry = QueryOne("SELECT key_id, secret_hash, display_prefix, alias, created_at FROM virtual_keys WHERE secret_hash = @v", secretHash);
        lock (_changes)
        {
            if (Interlocked.Read(ref _version) != version) return entry;
            if (entry is not null)
            {
                _byHash[secretHash] = entry;
                _unknown.TryRemove(secretHash, out _);
            }
            else _unknown.AddOrUpdate(secretHash, now + NegativeTtl);
        }
        return entry;
    }

    public KeyEntry? FindById(string keyId) =>
        QueryOne("SELECT key_id, secret_hash, display_prefix, alias, created_at FROM virtual_keys WHERE key_id = @v", keyId);

    public KeyEntry? FindByAlias(string alias) =>
        QueryOne("SELECT key_id, secret_hash, display_prefix, alias, created_at FROM virtual_keys WHERE alias = @v", alias);

    /// <summary>Adds a key; false when its id, hash or alias is taken.</summary>
    public bool Add(KeyEntry entry)
    {
        if (!Execute(
                "INSERT INTO virtual_keys (key_id, secret_hash, display_prefix, alias, created_at) VALUES (@id, @hash, @prefix, @alias, @created)",
                ("@id", entry.KeyId), ("@hash", entry.SecretHash), ("@prefix", entry.DisplayPrefix), ("@alias", entry.Alias),
                ("@created", entry.CreatedAt.ToString("O", CultureInfo.InvariantCulture))))
            return false;
        Changed(entry, previous: null);
        return true;
    }

    /// <summary>Gives a key a new secret: the old one stops being found at once.</summary>
    public bool Rehash(string keyId, string newHash, string newPrefix)
    {
        var previous = FindById(keyId);
        if (previous is null) return false;
        if (!Execute("UPDATE virtual_keys SET secret_hash = @hash, display_prefix = @prefix WHERE key_id = @id",
                ("@id", keyId), ("@hash", newHash), ("@prefix", newPrefix)))
            return false;
        Changed(previous with { SecretHash = newHash, DisplayPrefix = newPrefix }, previous);
        return true;
    }

    /// <summary>Renames a key; false when another key has the alias.</summary>
    public bool SetAlias(string keyId, string? alias)
    {
        var previous = FindById(keyId);
        if (previous is null) return false;
        if (!Execute("UPDATE virtual_keys SET alias = @alias WHERE key_id = @id", ("@id", keyId), ("@alias", alias))) return false;
        Changed(previous with { Alias = alias }, previous);
        return true;
    }

    public void Remove(string keyId)
    {
        var previous = FindById(keyId);
        if (previous is null) return;
        Execute("DELETE FROM virtual_keys WHERE key_id = @id", ("@id", keyId));
        lock (_changes)
        {
            Interlocked.Increment(ref _version);
            _byHash.TryRemove(previous.SecretHash, out _);
        }
    }

    /// <summary>Every key, oldest first.</summary>
    public IReadOnlyList<KeyEntry> List() => Answering(() =>
    {
        using var connection = storage.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key_id, secret_hash, display_prefix, alias, created_at FROM virtual_keys ORDER BY created_at, key_id";
        using var reader = command.ExecuteReader();
        var entries = new List<KeyEntry>();
        while (reader.Read()) entries.Add(Read(reader));
        return entries;
    });

    private void Changed(KeyEntry current, KeyEntry? previous)
    {
        lock (_changes)
        {
            Interlocked.Increment(ref _version);
            if (previous is not null) _byHash.TryRemove(previous.SecretHash, out _);
            _byHash[current.SecretHash] = current;
            _unknown.TryRemove(current.SecretHash, out _);
        }
    }

    private KeyEntry? QueryOne(string sql, string value) => Answering(() =>
    {
        using var connection = storage.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.AddParameter("@v", value);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    });

    /// <summary>Runs a write; false when it broke a uniqueness constraint.</summary>
    private bool Execute(string sql, params (string Name, string? Value)[] parameters) => Answering(() =>
    {
        using var connection = storage.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.AddParameter(name, value);
        try
        {
            command.ExecuteNonQuery();
            return true;
        }
        catch (DbException e) when (storage.IsUniqueViolation(e))
        {
            return false;
        }
    });

    /// <summary>
    /// A database that does not answer (PostgreSQL down or unreachable) is the router's 503 to the caller, not
    /// an internal error: the request may be retried once it is back.
    /// </summary>
    private static T Answering<T>(Func<T> query)
    {
        try
        {
            return query();
        }
        // The reason (which names the database's address) is for readiness and the operator, not for any caller.
        catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
        {
            throw RouterError.Unavailable("The router's database did not answer; try again shortly.", "storage_unavailable",
                TimeSpan.FromSeconds(1));
        }
    }

    private static KeyEntry Read(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
        DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
}
