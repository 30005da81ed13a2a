using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using BitFaster.Caching.Lru;
using Microsoft.Extensions.Logging.Abstractions;
using Router.Host.Http;
using Router.Host.Storage;

namespace Router.Host.Auth;

/// <summary>One row of the key directory: never the secret, only its hash and a prefix safe to show.</summary>
public sealed record KeyEntry(string KeyId, string SecretHash, string DisplayPrefix, string? Alias, DateTimeOffset CreatedAt);

/// <summary>
/// The index from a presented key's hash to its key id (its budget actor), kept in the <c>virtual_keys</c>
/// table (SQLite or PostgreSQL: see <see cref="RouterStorage"/>). It only says which actor to ask: the actor
/// checks the secret, blocked, expired and deleted on every admission, so a stale entry can never let a
/// key through.
/// <para>
/// The node holds the whole table in memory (<see cref="Load"/> at start, <see cref="Refresh"/> every few
/// seconds, which also drops keys removed or rehashed through the other node), so that a request of an existing
/// key needs no database: PostgreSQL may be down for minutes under load and no such request fails. The index is
/// also kept in the data directory (<see cref="KeyIndexFile"/>) for a node started while the database is down.
/// A hash the index lacks is looked up in the table (a key made on the other node since the last refresh);
/// hashes not found there are remembered for a minute, the most recent <see cref="MaxNegative"/> of them, so a
/// flood of wrong keys costs at most one query per distinct key and minute, not one per request, and a flood
/// of distinct ones cannot grow the memory. Id and alias lookups and listings are admin work and read the table,
/// or the index while the database does not answer.
/// </para>
/// </summary>
public sealed class KeyDirectory(RouterStorage storage, TimeProvider clock, KeyIndexFile? mirror = null, ILogger<KeyDirectory>? logger = null)
{
    public const string KeyIdPrefix = "key_";
    private static readonly TimeSpan NegativeTtl = TimeSpan.FromMinutes(1);
    public const int MaxNegative = 10_000;
    private const string Columns = "key_id, secret_hash, display_prefix, alias, created_at";

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    // Replaced whole by a refresh; changed in place by this node's own writes and by hashes found in the table.
    // Requests read it without a lock.
    private volatile ConcurrentDictionary<string, KeyEntry> _byHash = new(StringComparer.Ordinal);
    // Each miss with the time it is forgotten; least recently missed out first once full.
    private readonly ConcurrentLru<string, DateTimeOffset> _unknown = new(Environment.ProcessorCount, MaxNegative, StringComparer.Ordinal);
    private readonly Lock _changes = new();
    private readonly Lock _fileWrites = new();
    // Bumped on every write and every refresh that changed the index, so a lookup or refresh that raced one
    // does not put back what it removed.
    private long _version;
    // Set once the index holds every key (from the table or the file): only then may it answer for the table.
    private volatile bool _complete;
    // 1 when the index changed since the file was written (a hash found in the table, a write the file missed).
    private int _fileBehind;

    /// <summary>A new key id: random, and stable for the key's life (regenerating keeps it, so spend stays with it).</summary>
    public static string NewKeyId() => KeyIdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static bool LooksLikeKeyId(string text) =>
        text.Length == KeyIdPrefix.Length + 16 && text.StartsWith(KeyIdPrefix, StringComparison.Ordinal)
        && text.AsSpan(KeyIdPrefix.Length).ContainsAnyExcept("0123456789abcdef") is false;

    /// <summary>How many hashes not found are remembered now: never more than <see cref="MaxNegative"/>.</summary>
    public int RememberedMisses => _unknown.Count;

    /// <summary>How many keys the index holds now.</summary>
    public int IndexedKeys => _byHash.Count;

    /// <summary>
    /// Fills the index at start from the table; when the database does not answer, from the file the node wrote
    /// last, so it still finds the keys it knew. False when neither had them (each key is then looked up once the
    /// database answers).
    /// </summary>
    public bool Load()
    {
        try
        {
            Refresh();
            return true;
        }
        catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
        {
            return LoadFile(e.Message);
        }
    }

    private bool LoadFile(string databaseFailure)
    {
        IReadOnlyList<KeyEntry>? saved;
        try
        {
            saved = mirror?.Read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            _logger.LogError("The database did not answer ({Failure}) and the key index file could not be read ({Reason}): virtual keys are refused until the database is back",
                databaseFailure, e.Message);
            return false;
        }
        if (saved is null)
        {
            _logger.LogError("The database did not answer ({Failure}) and there is no key index file: virtual keys are refused until the database is back",
                databaseFailure);
            return false;
        }
        lock (_changes)
        {
            Interlocked.Increment(ref _version);
            _byHash = Index(saved);
            _complete = true;
        }
        _logger.LogWarning("The database did not answer ({Failure}): serving the {Count} keys of {File} until it is back",
            databaseFailure, saved.Count, mirror!.Path);
        return true;
    }

    /// <summary>
    /// Replaces the index by the table as it is now, so keys removed or rehashed through the other node are no
    /// longer found here, and writes the file when the index changed. Throws what the database threw when it does
    /// not answer; the index stays as it was.
    /// </summary>
    public void Refresh()
    {
        var version = Interlocked.Read(ref _version);
        var table = Index(ReadAll());
        bool changed;
        lock (_changes)
        {
            // A write here since the table was read may be missing from it: the next refresh takes it.
            if (Interlocked.Read(ref _version) != version) return;
            changed = !SameEntries(_byHash, table);
            if (changed)
            {
                Interlocked.Increment(ref _version);
                _byHash = table;
            }
            _complete = true;
        }
        var fileBehind = Interlocked.Exchange(ref _fileBehind, 0) == 1;
        if (changed || fileBehind) WriteFile();
    }

    public string? FindKeyId(string secretHash) => FindByHash(secretHash)?.KeyId;

    /// <summary>The entry of a hash this node's index holds, looked up without a string of it (a request's path); null when it lacks it.</summary>
    public KeyEntry? FindInIndex(ReadOnlySpan<char> secretHash) =>
        _byHash.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(secretHash, out var entry) ? entry : null;

    public KeyEntry? FindByHash(string secretHash)
    {
        if (_byHash.TryGetValue(secretHash, out var cached)) return cached;
        var now = clock.GetUtcNow();
        if (_unknown.TryGet(secretHash, out var until) && until > now) return null;

        var version = Interlocked.Read(ref _version);
        var entry = QueryOne($"SELECT {Columns} FROM virtual_keys WHERE secret_hash = @v", secretHash);
        lock (_changes)
        {
            if (Interlocked.Read(ref _version) != version) return entry;
            if (entry is not null)
            {
                _byHash[secretHash] = entry;
                _unknown.TryRemove(secretHash, out _);
                // Written by the next refresh, not here: this is a request's path.
                Interlocked.Exchange(ref _fileBehind, 1);
            }
            else _unknown.AddOrUpdate(secretHash, now + NegativeTtl);
        }
        return entry;
    }

    public KeyEntry? FindById(string keyId) => OrFromIndex(
        () => QueryOne($"SELECT {Columns} FROM virtual_keys WHERE key_id = @v", keyId),
        index => index.FirstOrDefault(e => e.KeyId == keyId));

    public KeyEntry? FindByAlias(string alias) => OrFromIndex(
        () => QueryOne($"SELECT {Columns} FROM virtual_keys WHERE alias = @v", alias),
        index => index.FirstOrDefault(e => e.Alias == alias));

    /// <summary>
    /// Refuses a key change at once, with what still works, when the database does not answer: a change half
    /// made (on the key's actor, not in the table) would be worse than none.
    /// </summary>
    public async Task RequireDatabaseForChangeAsync(CancellationToken ct)
    {
        var (ok, _) = await storage.ProbeAsync(ct);
        if (!ok) throw ChangesUnavailable();
    }

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
        var previous = FindInTable(keyId);
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
        var previous = FindInTable(keyId);
        if (previous is null) return false;
        if (!Execute("UPDATE virtual_keys SET alias = @alias WHERE key_id = @id", ("@id", keyId), ("@alias", alias))) return false;
        Changed(previous with { Alias = alias }, previous);
        return true;
    }

    public void Remove(string keyId)
    {
        var previous = FindInTable(keyId);
        if (previous is null) return;
        Execute("DELETE FROM virtual_keys WHERE key_id = @id", ("@id", keyId));
        lock (_changes)
        {
            Interlocked.Increment(ref _version);
            _byHash.TryRemove(previous.SecretHash, out _);
        }
        WriteFile();
    }

    /// <summary>Every key, oldest first.</summary>
    public IReadOnlyList<KeyEntry> List() => OrFromIndex(
        () => (IReadOnlyList<KeyEntry>)Answering(ReadAll),
        index => index.OrderBy(e => e.CreatedAt).ThenBy(e => e.KeyId, StringComparer.Ordinal).ToList());

    /// <summary>The 503 of a key change while the database does not answer: what fails, until when, and what still works.</summary>
    public static RouterError ChangesUnavailable() => RouterError.Unavailable(
        "The router's database is down: keys cannot be created or changed until it is back. Existing keys keep working.",
        "storage_unavailable", TimeSpan.FromSeconds(5));

    private void Changed(KeyEntry current, KeyEntry? previous)
    {
        lock (_changes)
        {
            Interlocked.Increment(ref _version);
            if (previous is not null) _byHash.TryRemove(previous.SecretHash, out _);
            _byHash[current.SecretHash] = current;
            _unknown.TryRemove(current.SecretHash, out _);
        }
        WriteFile();
    }

    // Each write takes the index as it is when it starts, so the last one to finish holds the latest.
    private void WriteFile()
    {
        if (mirror is null) return;
        lock (_fileWrites)
        {
            try
            {
                mirror.Write(_byHash.Values);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Interlocked.Exchange(ref _fileBehind, 1);
                _logger.LogWarning("The key index file {File} could not be written ({Reason}); retried at the next refresh", mirror.Path, e.Message);
            }
        }
    }

    // A write's "before": the table's row, not the index's, which may be a refresh behind the other node.
    private KeyEntry? FindInTable(string keyId) => AsChange(() => QueryOne($"SELECT {Columns} FROM virtual_keys WHERE key_id = @v", keyId));

    /// <summary>The table's answer; the index's while the database does not answer, once the index holds every key.</summary>
    private T OrFromIndex<T>(Func<T> fromTable, Func<ICollection<KeyEntry>, T> fromIndex)
    {
        try
        {
            return fromTable();
        }
        catch (RouterError) when (_complete)
        {
            return fromIndex(_byHash.Values);
        }
    }

    private List<KeyEntry> ReadAll()
    {
        using var connection = storage.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM virtual_keys ORDER BY created_at, key_id";
        using var reader = command.ExecuteReader();
        var entries = new List<KeyEntry>();
        while (reader.Read()) entries.Add(Read(reader));
        return entries;
    }

    private static ConcurrentDictionary<string, KeyEntry> Index(IEnumerable<KeyEntry> entries) =>
        new(entries.Select(e => KeyValuePair.Create(e.SecretHash, e)), StringComparer.Ordinal);

    private static bool SameEntries(ConcurrentDictionary<string, KeyEntry> current, ConcurrentDictionary<string, KeyEntry> table) =>
        current.Count == table.Count && table.All(pair => current.TryGetValue(pair.Key, out var entry) && entry == pair.Value);

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
    private bool Execute(string sql, params (string Name, string? Value)[] parameters) => AsChange(() => Answering(() =>
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
    }));

    /// <summary>A step of a key change: the database's failure is answered as a change that cannot be made now.</summary>
    private static T AsChange<T>(Func<T> step)
    {
        try
        {
            return step();
        }
        catch (RouterError)
        {
            throw ChangesUnavailable();
        }
    }

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
