using System.Data.Common;
using System.Globalization;
using Router.Contracts.Wire;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>Everything counted over a range, for the dashboard's headline numbers.</summary>
public sealed record RequestTotals(
    long Requests, long PromptTokens, long CompletionTokens, decimal Cost, long Errors, long RouterErrors, long ProviderErrors,
    long CacheHits, decimal SavedCost)
{
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;
    public double CacheHitRate => Requests == 0 ? 0 : (double)CacheHits / Requests;
}

/// <summary>Requests and cost of one group in one time bucket.</summary>
public sealed record SeriesPoint(string Bucket, string? Group, long Requests, decimal Cost);

/// <summary>Nearest-rank percentiles of one group (null group: every request).</summary>
public sealed record LatencyPercentiles(string? Group, long Requests, double P50, double P95, double P99, double? TtftP50, double OverheadP95);

/// <summary>How many requests failed with one status, by whom (router or provider) and at which provider.</summary>
public sealed record ErrorCount(string Origin, int Status, string? Provider, long Requests);

/// <summary>What the dashboard's filters offer: the values present in the log.</summary>
public sealed record LogChoices(IReadOnlyList<string> Models, IReadOnlyList<string> Keys, IReadOnlyList<string> Providers, IReadOnlyList<int> Statuses);

/// <summary>Time bucket widths: the request log's times are ISO 8601 text, so a bucket is a prefix of it.</summary>
public enum BucketWidth { Minute = 16, Hour = 13, Day = 10 }

/// <summary>
/// The dashboard's and <c>/spend/report</c>'s reads: totals, time series, percentiles and errors over a range, all
/// from the rollups (<see cref="RollupWriter"/>), never the rows, so they cost the same after a year of traffic as after
/// a day. Ranges count whole minutes (<see cref="RollupRange"/>). Percentiles are nearest rank over the rollups' fixed
/// latency buckets: each is the upper bound of its bucket, at most 26% above the exact value (<see cref="LatencyHistogram"/>).
/// </summary>
public sealed partial class RequestLogQuery
{
    /// <summary>
    /// The groups of <see cref="Groups"/> in rollup columns ('' stored for none reads back as null): the expression, the
    /// column it reads besides the bucket (null: none), and the tables that group by it.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, (string Expression, string? Column, RollupGrouping Grouping)> RollupGroups =
        new Dictionary<string, (string, string?, RollupGrouping)>(StringComparer.Ordinal)
        {
            ["model"] = ("NULLIF(model, '')", "model", RollupGrouping.Model),
            ["provider"] = ("NULLIF(provider, '')", "provider", RollupGrouping.Model),
            ["key"] = ("NULLIF(key_id, '')", "key_id", RollupGrouping.Key),
            ["day"] = ("substr(bucket, 1, 10)", null, RollupGrouping.Model),
        };

    public RequestTotals Totals(DateTimeOffset? from, DateTimeOffset? to) => Summary(from, to).Totals;

    /// <summary>Failed requests (status 400 and up) by origin, status and provider, most frequent first.</summary>
    public IReadOnlyList<ErrorCount> Errors(DateTimeOffset? from, DateTimeOffset? to) => Summary(from, to).Errors;

    /// <summary>
    /// The range's rollups summed per model, provider, status and error origin, and per key, in one statement (so both
    /// come from one snapshot): the rows by model, then those by key, told apart by the first column.
    /// </summary>
    public RangeSummary Summary(DateTimeOffset? from, DateTimeOffset? to)
    {
        using var connection = storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        var pieces = Pieces(connection, from, to, RollupTier.Month);
        string[] byModel = [.. RangeSummary.ModelColumns, .. GroupSums.Columns, .. RollupTiers.Histograms];
        string[] byKey = ["key_id", .. GroupSums.Columns];
        command.CommandText = $"""
            SELECT 0, {string.Join(", ", byModel)}, '' FROM {RollupRows(command, pieces, RollupGrouping.Model, "m", ["bucket", .. byModel])}
            UNION ALL
            SELECT 1, '', '', 0, '', {string.Join(", ", GroupSums.Columns)}, '', '', '', key_id
            FROM {RollupRows(command, pieces, RollupGrouping.Key, "k", ["bucket", .. byKey])}
            """;
        var summary = new RangeSummary();
        using var r = command.ExecuteReader();
        while (r.Read()) summary.AddRow(r);
        return summary;
    }

    /// <summary>Requests and cost per bucket and group (<see cref="Groups"/>: model, provider or key), oldest bucket first.</summary>
    public IReadOnlyList<SeriesPoint> Series(string groupBy, BucketWidth width, DateTimeOffset? from, DateTimeOffset? to)
    {
        var group = RollupGroups[groupBy];
        var coarsest = width switch { BucketWidth.Minute => RollupTier.Minute, BucketWidth.Hour => RollupTier.Hour, _ => RollupTier.Day };
        using var connection = storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        var source = RollupRows(command, Pieces(connection, from, to, coarsest), group.Grouping, "s",
            ["bucket", .. group.Column is { } column ? new[] { column } : [], "requests", "cost"]);
        command.CommandText = $"""
            SELECT substr(bucket, 1, {(int)width}) AS b, {group.Expression} AS g, {Count("requests")}, SUM(cost)
            FROM {source} GROUP BY b, g ORDER BY b, g
            """;
        var points = new List<SeriesPoint>();
        using var r = command.ExecuteReader();
        while (r.Read()) points.Add(new SeriesPoint(r.GetString(0), NullableString(r, 1), r.GetInt64(2), Money(r.GetDouble(3))));
        return points;
    }

    /// <summary>
    /// Latency p50/p95/p99, time-to-first-token p50 (streamed requests only) and overhead p95 per group, and
    /// first a row over every request (group null); none when the range holds no request.
    /// </summary>
    public IReadOnlyList<LatencyPercentiles> Percentiles(string groupBy, DateTimeOffset? from, DateTimeOffset? to) =>
        GroupSums.Percentiles(SumGroups(groupBy, from, to, RollupTiers.Histograms.Length));

    /// <summary>Totals per group (<see cref="Groups"/>), with the median latency (its bucket's bound, as for the percentiles).</summary>
    public IReadOnlyList<SpendReportRow> Report(string groupBy, DateTimeOffset? from, DateTimeOffset? to) =>
        GroupSums.Ordered(SumGroups(groupBy, from, to, measures: 1)).Select(g => g.Sums.ReportRow(g.Group)).ToList();

    /// <summary>
    /// Each group's sums and the bucket counts of the first <paramref name="measures"/> of <see cref="RollupTiers.Histograms"/>
    /// (a null group keyed ""), from one read of the range's rollup rows.
    /// </summary>
    private Dictionary<string, GroupSums> SumGroups(string groupBy, DateTimeOffset? from, DateTimeOffset? to, int measures)
    {
        var group = RollupGroups[groupBy];
        string[] read = [.. GroupSums.Columns, .. RollupTiers.Histograms[..measures]];
        using var connection = storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        // A report per day reads no month totals: their bucket is the month's first day.
        var coarsest = groupBy == "day" ? RollupTier.Day : RollupTier.Month;
        var source = RollupRows(command, Pieces(connection, from, to, coarsest), group.Grouping, "g",
            ["bucket", .. group.Column is { } column ? new[] { column } : [], .. read]);
        command.CommandText = $"SELECT {group.Expression}, {string.Join(", ", read)} FROM {source}";
        var groups = new Dictionary<string, GroupSums>(StringComparer.Ordinal);
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            var name = r.IsDBNull(0) ? "" : r.GetString(0);
            if (!groups.TryGetValue(name, out var sums)) groups[name] = sums = new GroupSums(measures);
            sums.AddRow(r, 1);
        }
        return groups;
    }

    /// <summary>
    /// The pieces of a range each tier answers (<see cref="RollupRange"/>), each marked when it lies before the split and is
    /// read from the combined tables (<see cref="RollupSplit"/>). Minute and hour totals are all there from the hour (day)
    /// of the oldest one left: retention deletes them a whole hour (day) at a time, from every table of the tier at once.
    /// </summary>
    private static IReadOnlyList<(RollupPiece Piece, bool Combined)> Pieces(DbConnection connection, DateTimeOffset? from, DateTimeOffset? to,
        RollupTier coarsest)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT ({OldestBucket(RollupTier.Minute)}), ({OldestBucket(RollupTier.Hour)}),
                   (SELECT value FROM request_rollup_state WHERE name = 'split'), (SELECT value FROM request_rollup_state WHERE name = 'months')
            """;
        using var r = command.ExecuteReader();
        r.Read();
        DateTime KeptFrom(int column, RollupTier unit) => r.IsDBNull(column)
            ? new DateTime(9999, 1, 1, 0, 0, 0, DateTimeKind.Utc)
            : RollupTiers.Floor(unit, DateTime.Parse(r.GetString(column), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal));
        string State(int column) => r.IsDBNull(column) ? "" : r.GetString(column);
        var firstSplit = RollupSplit.FirstSplitTime(State(2));
        // No month before the split: the combined tables have no month totals.
        var firstMonthAfterSplit = firstSplit is { } split ? RollupTiers.Ceiling(RollupTier.Month, split) : (DateTime?)null;
        var wholeMonthsFrom = new[] { RollupSplit.FirstWholeMonth(State(3)), firstMonthAfterSplit }.Max();
        var pieces = RollupRange.Split(from, to, KeptFrom(0, RollupTier.Hour), KeptFrom(1, RollupTier.Day), coarsest, wholeMonthsFrom);
        return RollupRange.CutAt(pieces, firstSplit);
    }

    /// <summary>SQL for the oldest bucket of a tier, combined or split.</summary>
    private static string OldestBucket(RollupTier tier) =>
        $"SELECT MIN(b) FROM (SELECT MIN(bucket) AS b FROM {new RollupTable(tier, RollupGrouping.Combined).Name} " +
        $"UNION ALL SELECT MIN(bucket) FROM {new RollupTable(tier, RollupGrouping.Model).Name}) oldest";

    /// <summary>
    /// The rollup rows of a range's pieces as one derived table, named <c>r</c>: a <c>UNION ALL</c> of each piece's rows from
    /// the tables grouped by <paramref name="grouping"/> (or the combined ones before the split), with only the columns asked for.
    /// </summary>
    /// <param name="prefix">Makes the parameters' names unique when a command reads more than one source.</param>
    private static string RollupRows(DbCommand command, IReadOnlyList<(RollupPiece Piece, bool Combined)> pieces, RollupGrouping grouping,
        string prefix, string[] columns)
    {
        var selects = pieces.Select((p, i) =>
        {
            var clauses = new List<string>();
            if (p.Piece.From is { } f)
            {
                clauses.Add($"bucket >= @{prefix}f{i}");
                command.AddParameter($"@{prefix}f{i}", RequestLogWriter.FormatTime(f));
            }
            if (p.Piece.To is { } t)
            {
                clauses.Add($"bucket < @{prefix}t{i}");
                command.AddParameter($"@{prefix}t{i}", RequestLogWriter.FormatTime(t));
            }
            var where = clauses.Count == 0 ? "" : " WHERE " + string.Join(" AND ", clauses);
            var table = new RollupTable(p.Piece.Tier, p.Combined ? RollupGrouping.Combined : grouping);
            return $"SELECT {string.Join(", ", columns)} FROM {table.Name}{where}";
        });
        return $"({string.Join(" UNION ALL ", selects)}) r";
    }

    /// <summary>A sum of whole numbers as a 64-bit integer in SQLite and PostgreSQL alike (PostgreSQL sums bigints as numeric).</summary>
    private static string Count(string expression) => $"CAST(COALESCE(SUM({expression}), 0) AS BIGINT)";

    /// <summary>The models, keys (alias, else display prefix), providers and statuses present, for filter lists.</summary>
    public LogChoices Choices(int limit = 200)
    {
        using var connection = storage.OpenLogConnection();
        return new LogChoices(
            LogValues.Read(connection, "model", limit), LogValues.Read(connection, "key", limit), LogValues.Read(connection, "provider", limit),
            LogValues.Read(connection, "status", limit).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Order().ToList());
    }
}
