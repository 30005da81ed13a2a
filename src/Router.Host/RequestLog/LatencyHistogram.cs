namespace Router.Host.RequestLog;

/// <summary>
/// The fixed buckets the rollups count latencies in, so that percentiles over any range and any group come
/// from sums of counts rather than from raw rows. Bucket <c>i</c> (0 to 62) holds values at most
/// <see cref="Bound"/>(i) = 2^(i/3 − 3) ms and above the bound before it: three buckets per doubling, from
/// 0.125 ms to 2^(17 2/3) ms (208 s); bucket 63 holds everything slower. A percentile is the bound of the bucket
/// its rank falls in (nearest rank), so it is at most 26% (2^(1/3)) above the true value and never below it.
/// </summary>
public static class LatencyHistogram
{
    public const int Buckets = 64;
    private const int PerDoubling = 3;
    private const int FirstExponent = -3; // 0.125 ms

    /// <summary>The upper bound of bucket <paramref name="index"/> in ms; the overflow bucket reports the last finite bound.</summary>
    public static double Bound(int index) => Bounds[Math.Min(index, Buckets - 1)];

    // Worked out once: every logged request puts two or three values in buckets, and each placing compared against two or
    // three bounds, a power of two apiece.
    private static readonly double[] Bounds =
        Enumerable.Range(0, Buckets).Select(i => Math.Pow(2, (double)Math.Min(i, Buckets - 2) / PerDoubling + FirstExponent)).ToArray();

    /// <summary>The bucket of a value in ms: the first whose bound is at least it.</summary>
    public static int Index(double ms)
    {
        if (double.IsNaN(ms) || ms <= Bound(0)) return 0;
        var index = (int)Math.Ceiling((Math.Log2(ms) - FirstExponent) * PerDoubling);
        index = Math.Clamp(index, 0, Buckets - 1);
        // Log2 may land a hair off an exact bound: settle on the first bucket whose bound holds the value.
        while (index > 0 && ms <= Bound(index - 1)) index--;
        while (index < Buckets - 1 && ms > Bound(index)) index++;
        return index;
    }

    /// <summary>
    /// Nearest rank over bucket counts: the bound of the first bucket at which at least <paramref name="percent"/>% of
    /// the values are counted; null when there are none.
    /// </summary>
    public static double? Percentile(ReadOnlySpan<long> counts, int percent)
    {
        long total = 0;
        foreach (var count in counts) total += count;
        if (total == 0) return null;
        var rank = (total * percent + 99) / 100;
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank) return Bound(i);
        }
        return Bound(counts.Length - 1);
    }
}
