namespace Router.Host.RequestLog;

/// <summary>One group's request count and the bucket counts of the first measures of <see cref="RollupTiers.Histograms"/>.</summary>
public sealed class GroupHistograms(int measures)
{
    public long Requests;
    public readonly long[][] Counts = Enumerable.Range(0, measures).Select(_ => new long[LatencyHistogram.Buckets]).ToArray();

    public void Add(GroupHistograms other)
    {
        Requests += other.Requests;
        for (var m = 0; m < Counts.Length; m++)
        for (var i = 0; i < LatencyHistogram.Buckets; i++)
            Counts[m][i] += other.Counts[m][i];
    }

    /// <summary>
    /// Latency p50/p95/p99, time-to-first-token p50 (streamed requests only) and overhead p95 of each group (keyed "" for
    /// none), first over every request (group null), then per group, none first and in ordinal order; none when no request.
    /// </summary>
    public static IReadOnlyList<LatencyPercentiles> Percentiles(IReadOnlyDictionary<string, GroupHistograms> groups)
    {
        if (groups.Count == 0) return [];
        var all = new GroupHistograms(RollupTiers.Histograms.Length);
        foreach (var group in groups.Values) all.Add(group);
        return
        [
            all.Percentiles(null),
            .. groups.Select(g => (Name: g.Key.Length == 0 ? null : g.Key, Counts: g.Value)).OrderBy(g => g.Name, StringComparer.Ordinal)
                .Select(g => g.Counts.Percentiles(g.Name)),
        ];
    }

    private LatencyPercentiles Percentiles(string? group)
    {
        var (latency, ttft, overhead) = (Counts[0], Counts[1], Counts[2]);
        return new LatencyPercentiles(group, Requests, LatencyHistogram.Percentile(latency, 50) ?? 0, LatencyHistogram.Percentile(latency, 95) ?? 0,
            LatencyHistogram.Percentile(latency, 99) ?? 0, LatencyHistogram.Percentile(ttft, 50), LatencyHistogram.Percentile(overhead, 95) ?? 0);
    }
}
