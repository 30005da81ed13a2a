namespace Router.Host.RequestLog;

/// <summary>The widths rollups are kept at: per minute (kept for days), per hour and per day (kept for ever by default).</summary>
public enum RollupTier { Minute, Hour, Day }

/// <summary>A tier's table, its bucket arithmetic and the columns every rollup table has.</summary>
public static class RollupTiers
{
    public static readonly RollupTier[] All = [RollupTier.Minute, RollupTier.Hour, RollupTier.Day];

    /// <summary>The name of the tier's tables before their grouping (<see cref="RollupTable"/>).</summary>
    public static string Table(RollupTier tier) => tier switch
    {
        RollupTier.Minute => "request_rollups_minute",
        RollupTier.Hour => "request_rollups_hour",
        _ => "request_rollups_day",
    };

    /// <summary>The start of the bucket that holds <paramref name="time"/> (UTC).</summary>
    public static DateTime Floor(RollupTier tier, DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Utc ? time : time.ToUniversalTime();
        return tier switch
        {
            RollupTier.Minute => new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, DateTimeKind.Utc),
            RollupTier.Hour => new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc),
            _ => new DateTime(utc.Year, utc.Month, utc.Day, 0, 0, 0, DateTimeKind.Utc),
        };
    }

    /// <summary>The start of the first bucket at or after <paramref name="time"/>.</summary>
    public static DateTime Ceiling(RollupTier tier, DateTime time)
    {
        var floor = Floor(tier, time);
        return floor == time ? floor : floor + Width(tier);
    }

    public static TimeSpan Width(RollupTier tier) => tier switch
    {
        RollupTier.Minute => TimeSpan.FromMinutes(1),
        RollupTier.Hour => TimeSpan.FromHours(1),
        _ => TimeSpan.FromDays(1),
    };

    /// <summary>A bucket's key as stored: the log's own time text, so ranges compare the same way as on <c>requests</c>.</summary>
    public static string Key(RollupTier tier, DateTimeOffset time) => RequestLogWriter.FormatTime(Floor(tier, time.UtcDateTime));

    /// <summary>The columns that hold a latency histogram each (<see cref="HistogramText"/>), in <see cref="RollupSums"/>' order.</summary>
    public static readonly string[] Histograms = ["lat", "ttft", "ovh"];

    /// <summary>The summed columns, in the order <see cref="RollupSums"/> holds them.</summary>
    public static readonly string[] SumColumns = ["requests", "prompt_tokens", "completion_tokens", "cost", "saved_cost", "errors"];
}
