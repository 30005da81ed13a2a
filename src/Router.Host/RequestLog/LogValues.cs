using System.Data.Common;
using System.Globalization;
using System.Text;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// The values the request explorer's filters offer (models, keys by alias or else prefix, providers, statuses), kept in
/// <c>request_log_values</c> with the time each was last logged: reading them is a few rows of an index, where a
/// <c>SELECT DISTINCT</c> over the log reads every row (0.7 s at a third of a million rows here). Written in each batch's
/// transaction, one statement per batch; a value whose rows retention deleted goes with them.
/// </summary>
public static class LogValues
{
    /// <summary>Each kind and where an entry has it; <c>RequestLogValuesFill</c> reads the same kinds from older rows.</summary>
    public static readonly (string Kind, Func<RequestLogEntry, string?> Value)[] Kinds =
    [
        ("model", e => e.RequestedModel),
        ("key", e => e.KeyAlias ?? e.KeyPrefix),
        ("provider", e => e.Provider),
        ("status", e => e.Status.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>Pairs (a kind and a value here, a name and a key id in <see cref="LogKeyNames"/>), each with the newest time it was logged at.</summary>
    public static Dictionary<(string, string), DateTimeOffset> Newest() => [];

    /// <summary>Adds the values of some of a batch's entries to <paramref name="newest"/>.</summary>
    public static void Collect(Dictionary<(string, string), DateTimeOffset> newest, IReadOnlyList<RequestLogEntry> entries)
    {
        foreach (var (kind, value) in Kinds)
            KeepNewest(newest, entries, e => value(e) is { } v ? (kind, v) : null);
    }

    /// <summary>Records the values <see cref="Collect"/> gathered from a batch.</summary>
    public static void Write(DbConnection connection, DbTransaction transaction, Dictionary<(string, string), DateTimeOffset> newest) =>
        Upsert(connection, transaction, "request_log_values", ("kind", "value"), newest);

    /// <summary>
    /// Keeps, for each pair <paramref name="pairOf"/> gives the batch's entries (none where it gives null), the newest time an
    /// entry had it. Looked up once per run of entries with the same pair, not once per entry: a batch's rows mostly share
    /// their key and model, and the lookups (two strings hashed each) were 2.5 µs of a row's 18 in batches of 100.
    /// </summary>
    public static void KeepNewest(Dictionary<(string, string), DateTimeOffset> newest, IReadOnlyList<RequestLogEntry> batch,
        Func<RequestLogEntry, (string, string)?> pairOf)
    {
        (string First, string Second)? run = null;
        var runNewest = DateTimeOffset.MinValue;
        foreach (var entry in batch)
        {
            if (pairOf(entry) is not { } pair) continue;
            if (run is { } same && string.Equals(same.First, pair.Item1, StringComparison.Ordinal)
                                && string.Equals(same.Second, pair.Item2, StringComparison.Ordinal))
            {
                if (entry.Time > runNewest) runNewest = entry.Time;
                continue;
            }
            if (run is { } ended) Keep(ended, runNewest);
            (run, runNewest) = (pair, entry.Time);
        }
        if (run is { } last) Keep(last, runNewest);

        void Keep((string, string) pair, DateTimeOffset time)
        {
            if (!newest.TryGetValue(pair, out var seen) || time > seen) newest[pair] = time;
        }
    }

    /// <summary>
    /// Writes each pair of <paramref name="newest"/> into <paramref name="table"/> (keyed by <paramref name="columns"/>, with a
    /// <c>last_seen</c> time), in one statement; a pair already there keeps the later of its two times.
    /// </summary>
    internal static void Upsert(DbConnection connection, DbTransaction transaction, string table, (string First, string Second) columns,
        Dictionary<(string, string), DateTimeOffset> newest)
    {
        if (newest.Count == 0) return;
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder($"INSERT INTO {table} ({columns.First}, {columns.Second}, last_seen) VALUES ");
        var i = 0;
        foreach (var ((first, second), time) in newest)
        {
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(@a{i}, @b{i}, @t{i})");
            command.AddParameter($"@a{i}", first);
            command.AddParameter($"@b{i}", second);
            command.AddParameter($"@t{i}", RequestLogWriter.FormatTime(time));
            i++;
        }
        // Each pair once per statement (PostgreSQL refuses to update one row twice in a statement).
        sql.Append(CultureInfo.InvariantCulture, $" ON CONFLICT ({columns.First}, {columns.Second}) DO UPDATE SET last_seen = excluded.last_seen")
            .Append(CultureInfo.InvariantCulture, $" WHERE excluded.last_seen > {table}.last_seen");
        command.CommandText = sql.ToString();
        command.ExecuteNonQuery();
    }

    /// <summary>Forgets the values last logged before <paramref name="cutoff"/>: retention has deleted all their rows.</summary>
    public static void Prune(DbCommand command, string cutoff) => Prune(command, "request_log_values", cutoff);

    /// <summary>Deletes the pairs of <paramref name="table"/> (as <see cref="Upsert"/> writes them) last seen before <paramref name="cutoff"/>.</summary>
    internal static void Prune(DbCommand command, string table, string cutoff)
    {
        command.Parameters.Clear();
        command.CommandText = $"DELETE FROM {table} WHERE last_seen < @cutoff";
        command.AddParameter("@cutoff", cutoff);
        command.ExecuteNonQuery();
    }

    /// <summary>The first <paramref name="limit"/> values of a kind, in ordinal order.</summary>
    public static List<string> Read(DbConnection connection, string kind, int limit)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM request_log_values WHERE kind = @kind ORDER BY value LIMIT @limit";
        command.AddParameter("@kind", kind);
        command.AddParameter("@limit", limit);
        return command.ReadStrings();
    }
}
