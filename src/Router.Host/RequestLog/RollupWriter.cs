using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Router.Host.RequestLog;

/// <summary>Which requests one rollup row counts: a bucket of one tier, and the values requests are grouped by ('' for none).</summary>
public readonly record struct RollupKey(
    string Bucket, string Node, string Model, string Provider, string KeyId, int Status, string ErrorOrigin, int CacheHit)
{
    /// <summary>The value of one of <see cref="RollupTable.KeyColumns"/>.</summary>
    public object Column(string name) => name switch
    {
        "bucket" => Bucket,
        "node" => Node,
        "model" => Model,
        "provider" => Provider,
        "key_id" => KeyId,
        "status" => Status,
        "error_origin" => ErrorOrigin,
        "cache_hit" => CacheHit,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a rollup key column"),
    };
}

/// <summary>What a rollup row adds up: its sums in <see cref="RollupTiers.SumColumns"/> order.</summary>
public sealed class RollupSums
{
    public long Requests, PromptTokens, CompletionTokens, Errors;
    public double Cost, SavedCost;
    public readonly long[] Latency = new long[LatencyHistogram.Buckets];
    public readonly long[] Ttft = new long[LatencyHistogram.Buckets];
    public readonly long[] Overhead = new long[LatencyHistogram.Buckets];

    public void Add(int status, int promptTokens, int completionTokens, double cost, double savedCost, double latencyMs, double? ttftMs,
        double overheadMs)
    {
        Requests++;
        PromptTokens += promptTokens;
        CompletionTokens += completionTokens;
        Cost += cost;
        SavedCost += savedCost;
        if (status >= 400) Errors++;
        Latency[LatencyHistogram.Index(latencyMs)]++;
        if (ttftMs is { } ttft) Ttft[LatencyHistogram.Index(ttft)]++;
        Overhead[LatencyHistogram.Index(overheadMs)]++;
    }

    public object Value(int column) => column switch
    {
        0 => Requests,
        1 => PromptTokens,
        2 => CompletionTokens,
        3 => Cost,
        4 => SavedCost,
        _ => Errors,
    };

    /// <summary>Adds the requests another row counts.</summary>
    public void Add(RollupSums other)
    {
        Requests += other.Requests;
        PromptTokens += other.PromptTokens;
        CompletionTokens += other.CompletionTokens;
        Cost += other.Cost;
        SavedCost += other.SavedCost;
        Errors += other.Errors;
        for (var i = 0; i < LatencyHistogram.Buckets; i++)
        {
            Latency[i] += other.Latency[i];
            Ttft[i] += other.Ttft[i];
            Overhead[i] += other.Overhead[i];
        }
    }

    /// <summary>The counts of <see cref="RollupTiers.Histograms"/>[<paramref name="measure"/>].</summary>
    public long[] Histogram(int measure) => measure switch { 0 => Latency, 1 => Ttft, _ => Overhead };
}

/// <summary>
/// Adds a batch of request log rows to the rollups, in the transaction that inserts them: the rollups then hold
/// exactly the rows the log holds, however a batch gets there (at once, or later from the outbox, whose replay
/// writes a batch only when it is not in the database yet). Each row of each table is inserted, or added to where it
/// exists (<see cref="Upsert"/>, the same SQL on SQLite and PostgreSQL), keyed by this node's name, so the
/// nodes of a pair never add to the same row. A batch is first summed in memory, and each table's rows are then written by
/// one to three statements, not by one per request or per group.
/// </summary>
/// <param name="node">This node's name in the rollups' key (the pair's host:port, or <c>local</c>).</param>
public sealed class RollupWriter(string node)
{
    private static readonly RollupGrouping[] SplitGroupings = [RollupGrouping.Model, RollupGrouping.Key];

    public string Node => node;

    /// <summary>
    /// Rows at or before this time are left to the one-time backfill while it is under way (it reads them from
    /// <c>requests</c>); null once there is none.
    /// </summary>
    public volatile string? BackfillCutoff;

    /// <summary>A batch's sums, added to as its entries are inserted and written to the tables after its last.</summary>
    public RollupBatch Begin() => new(node, BackfillCutoff);

    /// <summary>
    /// Adds <paramref name="entries"/> to every tier, as rows of <paramref name="node"/>: to the tables by model and by key,
    /// or, for the days before <see cref="RollupSplit"/>, to the combined ones that count those days.
    /// </summary>
    public static void Add(DbConnection connection, DbTransaction transaction, string node, IReadOnlyList<RequestLogEntry> entries, int rowsPerStatement)
    {
        var batch = new RollupBatch(node, backfillCutoff: null);
        batch.Add(connection, transaction, entries);
        batch.Write(connection, transaction, rowsPerStatement);
    }

    /// <summary>
    /// A batch's entries summed by minute and every key column, apart for the days <see cref="RollupSplit"/> keeps combined: each
    /// table's rows are then sums of these few groups, not a pass of their own over every request (a hash and three histogram
    /// buckets per request and table: half of what the rollups cost).
    /// </summary>
    /// <param name="backfillCutoff">Entries at or before it are left to the backfill under way (<see cref="BackfillCutoff"/>).</param>
    public sealed class RollupBatch(string node, string? backfillCutoff)
    {
        private readonly MinuteSums _combined = new(), _split = new();
        // Read at the first entry; null while the batch has none, and then nothing is written.
        private string? _lastCombinedDay;

        public void Add(DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> entries)
        {
            if (entries.Count == 0) return;
            var lastCombinedDay = _lastCombinedDay ??= RollupSplit.LastCombinedDay(connection, transaction);
            foreach (var e in entries)
            {
                if (backfillCutoff is not null && string.CompareOrdinal(RequestLogWriter.FormatTime(e.Time), backfillCutoff) <= 0) continue;
                (RollupSplit.IsCombined(e.Time, lastCombinedDay) ? _combined : _split).Add(e, node);
            }
        }

        public void Write(DbConnection connection, DbTransaction transaction, int rowsPerStatement)
        {
            if (_lastCombinedDay is null) return;
            foreach (var tier in RollupTiers.All)
            {
                var table = new RollupTable(tier, RollupGrouping.Combined);
                Upsert(connection, transaction, table, Sum(table, _combined.Minutes), rowsPerStatement);
            }
            foreach (var tier in RollupTiers.Split)
            foreach (var grouping in SplitGroupings)
            {
                var table = new RollupTable(tier, grouping);
                Upsert(connection, transaction, table, Sum(table, _split.Minutes), rowsPerStatement);
            }
        }
    }

    /// <summary>Entries summed by minute and every key column.</summary>
    private sealed class MinuteSums
    {
        public readonly Dictionary<RollupKey, (DateTime Minute, RollupSums Sums)> Minutes = [];
        private BucketText _bucket;
        // A row mostly falls in the group of the row before it: comparing its key with that one's (the same strings) is cheaper
        // than hashing its six strings again.
        private (RollupKey Key, RollupSums? Sums) _last;

        public void Add(RequestLogEntry e, string node)
        {
            var time = RollupTiers.Floor(RollupTier.Minute, e.Time.UtcDateTime);
            var key = RollupTable.MinuteOf(e, node, _bucket.Of(time));
            if (_last.Sums is null || !key.Equals(_last.Key))
            {
                if (!Minutes.TryGetValue(key, out var minute)) Minutes[key] = minute = (time, new RollupSums());
                _last = (key, minute.Sums);
            }
            _last.Sums.Add(e.Status, e.PromptTokens, e.CompletionTokens, (double)e.Cost, (double)e.SavedCost, e.LatencyMs, e.TtftMs, e.OverheadMs);
        }
    }

    /// <summary>A table's rows: the minutes' groups, each added to the row of the table that counts it.</summary>
    private static Dictionary<RollupKey, RollupSums> Sum(RollupTable table, Dictionary<RollupKey, (DateTime Minute, RollupSums Sums)> minutes)
    {
        var rows = new Dictionary<RollupKey, RollupSums>();
        var bucket = new BucketText();
        foreach (var (minuteKey, (minute, sums)) in minutes)
        {
            var key = table.Of(minuteKey, bucket.Of(RollupTiers.Floor(table.Tier, minute)));
            if (!rows.TryGetValue(key, out var row)) rows[key] = row = new RollupSums();
            row.Add(sums);
        }
        return rows;
    }

    /// <summary>A bucket's key text, made again only when the bucket changes: a batch's rows mostly share theirs.</summary>
    private struct BucketText
    {
        private DateTime _time;
        private string? _text;

        public string Of(DateTime time) => _text is not null && time == _time ? _text : _text = RequestLogWriter.FormatTime(_time = time);
    }

    /// <summary>
    /// Adds summed rows to a table: a chunk of <paramref name="rowsPerStatement"/> rows per statement (<see cref="RollupUpsert"/>),
    /// or, on SQLite, statements run per row (<see cref="RollupStatements"/>). Measured on the same 20,000 generated
    /// requests: PostgreSQL writes about 3× the rows a second in chunks, SQLite (no round trips) 1.4–2× fewer.
    /// </summary>
    public static void Upsert(DbConnection connection, DbTransaction transaction, RollupTable table, IReadOnlyDictionary<RollupKey, RollupSums> rows,
        int rowsPerStatement)
    {
        if (rows.Count == 0) return;
        // In key order, so that two writers sharing rows (two routers given the same node name) meet them in one order.
        var ordered = rows.OrderBy(r => r.Key, KeyOrder.Instance).ToList();
        if (connection is not SqliteConnection sqlite)
        {
            RollupUpsert.Add(connection, transaction, table, ordered, rowsPerStatement);
            return;
        }
        using var statements = new RollupStatements(sqlite, table);
        foreach (var (key, row) in ordered) statements.Add(key, row);
    }

    private sealed class KeyOrder : IComparer<RollupKey>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare(RollupKey a, RollupKey b)
        {
            var c = string.CompareOrdinal(a.Bucket, b.Bucket);
            if (c == 0) c = string.CompareOrdinal(a.Model, b.Model);
            if (c == 0) c = string.CompareOrdinal(a.Provider, b.Provider);
            if (c == 0) c = string.CompareOrdinal(a.KeyId, b.KeyId);
            if (c == 0) c = a.Status.CompareTo(b.Status);
            if (c == 0) c = string.CompareOrdinal(a.ErrorOrigin, b.ErrorOrigin);
            return c != 0 ? c : a.CacheHit.CompareTo(b.CacheHit);
        }
    }
}
