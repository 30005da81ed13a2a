using System.Data.Common;
using Router.Contracts.Wire;

namespace Router.Host.RequestLog;

/// <summary>
/// What the rollup rows of one group add up to: their sums and, for the first measures of <see cref="RollupTiers.Histograms"/>,
/// their bucket counts. The database cannot add histogram text up, so every read that needs a histogram reads the rows and
/// sums them here, sums and all, in one pass.
/// </summary>
public sealed class GroupSums(int measures)
{
    /// <summary>The columns <see cref="AddRow"/> reads, in order, before the histograms.</summary>
    public static readonly string[] Columns = ["requests", "prompt_tokens", "completion_tokens", "cost", "saved_cost", "errors", "cache_hit"];

    public long Requests, PromptTokens, CompletionTokens, Errors, CacheHits;
    public double Cost, SavedCost;
    public readonly long[][] Counts = Enumerable.Range(0, measures).Select(_ => new long[LatencyHistogram.Buckets]).ToArray();

    /// <summary>Adds a rollup row read as <see cref="Columns"/> from ordinal <paramref name="at"/>, then this group's histograms.</summary>
    public void AddRow(DbDataReader row, int at)
    {
        var requests = row.GetInt64(at);
        Requests += requests;
        PromptTokens += row.GetInt64(at + 1);
        CompletionTokens += row.GetInt64(at + 2);
        Cost += row.GetDouble(at + 3);
        SavedCost += row.GetDouble(at + 4);
        Errors += row.GetInt64(at + 5);
        if (row.GetInt64(at + 6) != 0) CacheHits += requests;
        for (var m = 0; m < Counts.Length; m++) HistogramText.AddTo(row.GetString(at + Columns.Length + m), Counts[m]);
    }

    public void Add(GroupSums other)
    {
        (Requests, PromptTokens, CompletionTokens, Errors, CacheHits) = (Requests + other.Requests, PromptTokens + other.PromptTokens,
            CompletionTokens + other.CompletionTokens, Errors + other.Errors, CacheHits + other.CacheHits);
        (Cost, SavedCost) = (Cost + other.Cost, SavedCost + other.SavedCost);
        for (var m = 0; m < Math.Min(Counts.Length, other.Counts.Length); m++)
        for (var i = 0; i < LatencyHistogram.Buckets; i++)
            Counts[m][i] += other.Counts[m][i];
    }

    /// <summary>The group's report row; its median latency when the latency histogram was read, else null.</summary>
    public SpendReportRow ReportRow(string? group) => new(group, Requests, PromptTokens, CompletionTokens, RequestLogQuery.Money(Cost), Errors,
        CacheHits, RequestLogQuery.Money(SavedCost), Counts.Length > 0 ? LatencyHistogram.Percentile(Counts[0], 50) : null);

    /// <summary>Groups keyed "" for none, as null, none first and then in ordinal order.</summary>
    public static IEnumerable<(string? Group, GroupSums Sums)> Ordered(IReadOnlyDictionary<string, GroupSums> groups) =>
        groups.Select(g => (Group: g.Key.Length == 0 ? null : g.Key, Sums: g.Value)).OrderBy(g => g.Group, StringComparer.Ordinal);

    /// <summary>
    /// Latency p50/p95/p99, time-to-first-token p50 (streamed requests only) and overhead p95, first over every request (group
    /// null), then per group (<see cref="Ordered"/>); none when there is no request. The groups hold all three histograms.
    /// </summary>
    public static IReadOnlyList<LatencyPercentiles> Percentiles(IReadOnlyDictionary<string, GroupSums> groups)
    {
        if (groups.Count == 0) return [];
        var all = new GroupSums(RollupTiers.Histograms.Length);
        foreach (var group in groups.Values) all.Add(group);
        return [all.Percentiles(null), .. Ordered(groups).Select(g => g.Sums.Percentiles(g.Group))];
    }

    private LatencyPercentiles Percentiles(string? group)
    {
        var (latency, ttft, overhead) = (Counts[0], Counts[1], Counts[2]);
        return new LatencyPercentiles(group, Requests, LatencyHistogram.Percentile(latency, 50) ?? 0, LatencyHistogram.Percentile(latency, 95) ?? 0,
            LatencyHistogram.Percentile(latency, 99) ?? 0, LatencyHistogram.Percentile(ttft, 50), LatencyHistogram.Percentile(overhead, 95) ?? 0);
    }
}
