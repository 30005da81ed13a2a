using System.Data.Common;
using Router.Contracts.Wire;

namespace Router.Host.RequestLog;

/// <summary>
/// A range's rollups read once and summed per combination of model, provider, status and error origin, with the latency
/// histograms per model, and per key: the overview's totals, its tables per model, provider and key, its errors and its
/// percentiles all come from this one read, where each would otherwise read the range's rollups again. The rows are summed
/// here rather than by the database: a <c>GROUP BY</c> over several columns sorts them, which costs several times the read.
/// </summary>
public sealed class RangeSummary
{
    /// <summary>The columns a row by model holds after its kind (0), before <see cref="GroupSums.Columns"/> and the histograms.</summary>
    public static readonly string[] ModelColumns = ["model", "provider", "status", "error_origin"];

    private static readonly int SumsAt = 1 + ModelColumns.Length;
    private static readonly int KeyAt = SumsAt + GroupSums.Columns.Length + RollupTiers.Histograms.Length;

    private readonly record struct Combination(string? Model, string? Provider, int Status, string? ErrorOrigin);

    // Cache hits are counted in each combination's sums (GroupSums.CacheHits), so they need not split it.
    private readonly Dictionary<Combination, GroupSums> _combinations = [];
    private readonly Dictionary<string, GroupSums> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GroupSums> _keys = new(StringComparer.Ordinal);

    /// <summary>
    /// Adds one rollup row: its kind (0 by model, 1 by key), <see cref="ModelColumns"/>, <see cref="GroupSums.Columns"/>, the
    /// histograms (of a row by model) and the key (of a row by key).
    /// </summary>
    public void AddRow(DbDataReader row)
    {
        if (row.GetInt32(0) == 1)
        {
            Group(_keys, row.GetString(KeyAt), 0).AddRow(row, SumsAt);
            return;
        }
        var combination = new Combination(Blank(row, 1), Blank(row, 2), row.GetInt32(3), Blank(row, 4));
        Group(_combinations, combination, 0).AddRow(row, SumsAt);
        Group(_models, combination.Model ?? "", RollupTiers.Histograms.Length).AddRow(row, SumsAt);
    }

    private static GroupSums Group<TKey>(Dictionary<TKey, GroupSums> groups, TKey key, int measures) where TKey : notnull =>
        groups.TryGetValue(key, out var sums) ? sums : groups[key] = new GroupSums(measures);

    /// <summary>A key column's value, where '' stands for none.</summary>
    private static string? Blank(DbDataReader row, int i) => row.GetString(i) is { Length: > 0 } value ? value : null;

    public RequestTotals Totals
    {
        get
        {
            var all = Sum(_combinations.Values);
            long Origin(string origin) => _combinations.Where(c => c.Key.ErrorOrigin == origin).Sum(c => c.Value.Requests);
            return new RequestTotals(all.Requests, all.PromptTokens, all.CompletionTokens, RequestLogQuery.Money(all.Cost), all.Errors,
                Origin("router"), Origin("provider"), all.CacheHits, RequestLogQuery.Money(all.SavedCost));
        }
    }

    /// <summary>Failed requests (status 400 and up) by origin (none counts as the router's), status and provider, most frequent first.</summary>
    public IReadOnlyList<ErrorCount> Errors => _combinations
        .Where(c => c.Key.Status >= 400)
        .GroupBy(c => (Origin: c.Key.ErrorOrigin ?? "router", c.Key.Status, c.Key.Provider))
        .Select(g => new ErrorCount(g.Key.Origin, g.Key.Status, g.Key.Provider, g.Sum(c => c.Value.Requests)))
        .OrderByDescending(e => e.Requests).ThenBy(e => e.Origin, StringComparer.Ordinal).ThenBy(e => e.Status)
        .ThenBy(e => e.Provider, StringComparer.Ordinal)
        .ToList();

    /// <summary>Latency percentiles over every request, then per model (<see cref="GroupSums.Percentiles"/>).</summary>
    public IReadOnlyList<LatencyPercentiles> PercentilesByModel => GroupSums.Percentiles(_models);

    /// <summary>Totals per model, provider or key, without the median latency (null), in <see cref="GroupSums.Ordered"/> order.</summary>
    public IReadOnlyList<SpendReportRow> Report(string groupBy)
    {
        var groups = groupBy switch
        {
            "model" => SumBy(c => c.Model),
            "provider" => SumBy(c => c.Provider),
            "key" => _keys,
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "a summary groups by model, provider or key"),
        };
        return GroupSums.Ordered(groups).Select(g => g.Sums.ReportRow(g.Group)).ToList();
    }

    private Dictionary<string, GroupSums> SumBy(Func<Combination, string?> group) =>
        _combinations.GroupBy(c => group(c.Key) ?? "").ToDictionary(g => g.Key, g => Sum(g.Select(c => c.Value)), StringComparer.Ordinal);

    private static GroupSums Sum(IEnumerable<GroupSums> groups)
    {
        var sum = new GroupSums(0);
        foreach (var group in groups) sum.Add(group);
        return sum;
    }
}
