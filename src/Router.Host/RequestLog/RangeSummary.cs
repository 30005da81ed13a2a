using Router.Contracts.Wire;

namespace Router.Host.RequestLog;

/// <summary>What a range's rollups add up to for one combination of model, provider, key, status, error origin and cache hit.</summary>
public sealed class SummaryRow(string? model, string? provider, string? keyId, int status, string? errorOrigin, bool cacheHit)
{
    public string? Model => model;
    public string? Provider => provider;
    public string? KeyId => keyId;
    public int Status => status;
    public string? ErrorOrigin => errorOrigin;
    public bool CacheHit => cacheHit;
    public long Requests, PromptTokens, CompletionTokens, Errors;
    public double Cost, SavedCost;
}

/// <summary>
/// A range's rollups read once and summed per combination of what requests are grouped by (<see cref="SummaryRow"/>),
/// with the latency histograms per model: the overview's totals, its tables per model, provider and key, its errors and
/// its percentiles all come from this one read, where each would otherwise read the range's rollups again. The rows are
/// summed here rather than by the database: a <c>GROUP BY</c> over six columns sorts them, which costs several times
/// the read. Groups are listed none first, then in ordinal order.
/// </summary>
public sealed class RangeSummary
{
    private readonly Dictionary<(string?, string?, string?, int, string?, bool), SummaryRow> _rows = [];
    private readonly Dictionary<string, GroupHistograms> _models = new(StringComparer.Ordinal);

    /// <summary>Adds one rollup row; the histograms are <see cref="HistogramText"/> in <see cref="RollupTiers.Histograms"/> order.</summary>
    public void Add(string? model, string? provider, string? keyId, int status, string? errorOrigin, bool cacheHit, long requests,
        long promptTokens, long completionTokens, double cost, double savedCost, long errors, IReadOnlyList<string> histograms)
    {
        var key = (model, provider, keyId, status, errorOrigin, cacheHit);
        if (!_rows.TryGetValue(key, out var row)) _rows[key] = row = new SummaryRow(model, provider, keyId, status, errorOrigin, cacheHit);
        row.Requests += requests;
        row.PromptTokens += promptTokens;
        row.CompletionTokens += completionTokens;
        row.Cost += cost;
        row.SavedCost += savedCost;
        row.Errors += errors;
        if (!_models.TryGetValue(model ?? "", out var counts)) _models[model ?? ""] = counts = new GroupHistograms(RollupTiers.Histograms.Length);
        counts.Requests += requests;
        for (var m = 0; m < histograms.Count; m++) HistogramText.AddTo(histograms[m], counts.Counts[m]);
    }

    private IEnumerable<SummaryRow> Rows => _rows.Values;

    public RequestTotals Totals => new(
        Rows.Sum(r => r.Requests), Rows.Sum(r => r.PromptTokens), Rows.Sum(r => r.CompletionTokens), Money(Rows.Sum(r => r.Cost)),
        Rows.Sum(r => r.Errors), Rows.Where(r => r.ErrorOrigin == "router").Sum(r => r.Requests),
        Rows.Where(r => r.ErrorOrigin == "provider").Sum(r => r.Requests), Rows.Where(r => r.CacheHit).Sum(r => r.Requests),
        Money(Rows.Sum(r => r.SavedCost)));

    /// <summary>Failed requests (status 400 and up) by origin (none counts as the router's), status and provider, most frequent first.</summary>
    public IReadOnlyList<ErrorCount> Errors => Rows
        .Where(r => r.Status >= 400)
        .GroupBy(r => (Origin: r.ErrorOrigin ?? "router", r.Status, r.Provider))
        .Select(g => new ErrorCount(g.Key.Origin, g.Key.Status, g.Key.Provider, g.Sum(r => r.Requests)))
        .OrderByDescending(e => e.Requests).ThenBy(e => e.Origin, StringComparer.Ordinal).ThenBy(e => e.Status)
        .ThenBy(e => e.Provider, StringComparer.Ordinal)
        .ToList();

    /// <summary>Latency percentiles over every request, then per model (<see cref="GroupHistograms.Percentiles"/>).</summary>
    public IReadOnlyList<LatencyPercentiles> PercentilesByModel => GroupHistograms.Percentiles(_models);

    /// <summary>Totals per model, provider or key, without the median latency (null).</summary>
    public IReadOnlyList<SpendReportRow> Report(string groupBy)
    {
        Func<SummaryRow, string?> group = groupBy switch
        {
            "model" => r => r.Model,
            "provider" => r => r.Provider,
            "key" => r => r.KeyId,
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "a summary groups by model, provider or key"),
        };
        return Rows.GroupBy(group)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new SpendReportRow(g.Key, g.Sum(r => r.Requests), g.Sum(r => r.PromptTokens), g.Sum(r => r.CompletionTokens),
                Money(g.Sum(r => r.Cost)), g.Sum(r => r.Errors), g.Where(r => r.CacheHit).Sum(r => r.Requests), Money(g.Sum(r => r.SavedCost)),
                null))
            .ToList();
    }

    private static decimal Money(double value) => RequestLogQuery.Money(value);
}
