namespace Router.Host.RequestLog;

/// <summary>
/// The widths rollups are kept at: per minute (kept for days), per hour and per day (kept for ever by default), and per calendar
/// month, which only the tables by model and by key have (<see cref="RollupSplit"/>): a long range reads a few rows a month
/// where it would read a few hundred a day.
/// </summary>
public enum RollupTier { Minute, Hour, Day, Month }

/// <summary>A tier's table, its bucket arithmetic and the columns every rollup table has.</summary>
public static class RollupTiers
{
    /// <summary>The tiers every grouping has; the combined tables have only these.</summary>
    public static readonly RollupTier[] All = [RollupTier.Minute, RollupTier.Hour, RollupTier.Day];

    /// <summary>The tiers of the tables by model and by key.</summary>
    public static readonly RollupTier[] Split = [.. All, RollupTier.Month];

    /// <summary>The name of the tier's tables before their grouping (<see cref="RollupTable"/>).</summary>
    public static string Table(RollupTier tier) => tier switch
    {
        RollupTier.Minute => "request_rollups_minute",
        RollupTier.Hour => "request_rollups_hour",
        RollupTier.Day => "request_rollups_day",
        _ => "request_rollups_month",
    };

    /// <summary>The start of the bucket that holds <paramref name="time"/> (UTC).</summary>
    public static DateTime Floor(RollupTier tier, DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Utc ? time : time.ToUniversalTime();
        return tier switch
        {
            RollupTier.Minute => new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, DateTimeKind.Utc),
            RollupTier.Hour => new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc),
            RollupTier.Day => new DateTime(utc.Year, utc.Month, utc.Day, 0, 0, 0, DateTimeKind.Utc),
            _ => new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc),
        };
    }

    /// <summary>The start of the first bucket at or after <paramref name="time"/>.</summary>
    public static DateTime Ceiling(RollupTier tier, DateTime time)
    {
        var floor = Floor(tier, time);
        return floor == time ? floor : Next(tier, floor);
    }

    /// <summary>The start of the bucket after the one starting at <paramref name="start"/> (months are not all as long).</summary>
    public static DateTime Next(RollupTier tier, DateTime start) => tier switch
    {
        RollupTier.Minute => start.AddMinutes(1),
        RollupTier.Hour => start.AddHours(1),
        RollupTier.Day => start.AddDays(1),
        _ => start.AddMonths(1),
    };

    /// <summary>A bucket's key as stored: the log's own time text, so ranges compare the same way as on <c>requests</c>.</summary>
    public static string Key(RollupTier tier, DateTimeOffset time) => RequestLogWriter.FormatTime(Floor(tier, time.UtcDateTime));

    /// <summary>The columns that hold a latency histogram each (<see cref="HistogramText"/>), in <see cref="RollupSums"/>' order.</summary>
    public static readonly string[] Histograms = ["lat", "ttft", "ovh"];

    /// <summary>The summed columns, in the order <see cref="RollupSums"/> holds them.</summary>
    public static readonly string[] SumColumns = ["requests", "prompt_tokens", "completion_tokens", "cost", "saved_cost", "errors"];
}
