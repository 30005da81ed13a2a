using System.Globalization;

namespace Router.Host.RequestLog;

/// <summary>
/// A rollup row's latency histogram as stored: only its non-empty buckets, as <c>bucket:count</c> pairs in bucket order
/// joined by commas (<c>"9:3,12:1"</c>; <c>""</c> for none). A row counts few requests in few buckets, so this is a few
/// bytes where 64 columns cost a column each, and it reads plainly in any SQL shell.
/// </summary>
public static class HistogramText
{
    public static string Write(ReadOnlySpan<long> counts)
    {
        // Each pair at most "63:" and a count of 19 digits, and a comma.
        Span<char> text = stackalloc char[counts.Length * 24];
        var length = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0) continue;
            if (length > 0) text[length++] = ',';
            i.TryFormat(text[length..], out var written, provider: CultureInfo.InvariantCulture);
            length += written;
            text[length++] = ':';
            counts[i].TryFormat(text[length..], out written, provider: CultureInfo.InvariantCulture);
            length += written;
        }
        return new string(text[..length]);
    }

    /// <summary>Adds the counts of <paramref name="text"/> to <paramref name="counts"/>.</summary>
    /// <exception cref="FormatException">The text is not a histogram of <paramref name="counts"/>' buckets.</exception>
    public static void AddTo(ReadOnlySpan<char> text, Span<long> counts)
    {
        while (!text.IsEmpty)
        {
            var comma = text.IndexOf(',');
            var pair = comma < 0 ? text : text[..comma];
            text = comma < 0 ? default : text[(comma + 1)..];
            var colon = pair.IndexOf(':');
            if (colon < 0
                || !int.TryParse(pair[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket) || bucket >= counts.Length
                || !long.TryParse(pair[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                throw new FormatException($"'{pair}' is not a histogram bucket's count (bucket:count, bucket below {counts.Length})");
            counts[bucket] += count;
        }
    }

    /// <summary>The stored histogram <paramref name="stored"/> with <paramref name="added"/> counted in too.</summary>
    public static string Merge(string stored, ReadOnlySpan<long> added)
    {
        Span<long> counts = stackalloc long[added.Length];
        added.CopyTo(counts);
        AddTo(stored, counts);
        return Write(counts);
    }
}
