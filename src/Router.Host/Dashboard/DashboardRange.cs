using System.Globalization;
using Router.Host.RequestLog;

namespace Router.Host.Dashboard;

/// <summary>The overview's time window (the last hour, day, week or month) and the width of its chart buckets.</summary>
public sealed record DashboardRange(string Name, string Label, TimeSpan Span, BucketWidth Width)
{
    public static readonly IReadOnlyList<DashboardRange> All =
    [
        new("1h", "last hour", TimeSpan.FromHours(1), BucketWidth.Minute),
        new("24h", "last 24 hours", TimeSpan.FromHours(24), BucketWidth.Hour),
        new("7d", "last 7 days", TimeSpan.FromDays(7), BucketWidth.Day),
        new("30d", "last 30 days", TimeSpan.FromDays(30), BucketWidth.Day),
    ];

    public static DashboardRange Parse(string? name) => All.FirstOrDefault(r => r.Name == name) ?? All[1];

    /// <summary>Every bucket from <paramref name="from"/> to <paramref name="to"/>, as the log's time prefix, so empty ones show as zero.</summary>
    public IReadOnlyList<string> Buckets(DateTimeOffset from, DateTimeOffset to)
    {
        var step = Width switch { BucketWidth.Minute => TimeSpan.FromMinutes(1), BucketWidth.Hour => TimeSpan.FromHours(1), _ => TimeSpan.FromDays(1) };
        var buckets = new List<string>();
        for (var t = from.UtcDateTime; t <= to.UtcDateTime; t += step)
        {
            var bucket = Prefix(t);
            if (buckets.Count == 0 || buckets[^1] != bucket) buckets.Add(bucket);
        }
        var last = Prefix(to.UtcDateTime);
        if (buckets[^1] != last) buckets.Add(last);
        return buckets;
    }

    private string Prefix(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture)[..(int)Width];

    /// <summary>A short axis label for a bucket: the time of day for minutes and hours, the date for days.</summary>
    public string AxisLabel(string bucket) => Width switch
    {
        BucketWidth.Minute => bucket[11..16],
        BucketWidth.Hour => bucket[11..13] + "h",
        _ => bucket[5..10],
    };
}
