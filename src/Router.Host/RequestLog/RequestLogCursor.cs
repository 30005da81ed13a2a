using System.Globalization;

namespace Router.Host.RequestLog;

/// <summary>
/// A place in the request log's order (time, then the row's id): <c>before=&lt;time&gt;,&lt;id&gt;</c> on <c>/spend/logs</c> and the
/// request explorer. A page read after it starts where the last one ended, by an index range rather than by skipping rows, so
/// a deep page costs what the first does and rows written meanwhile neither repeat nor go missing.
/// </summary>
public sealed record RequestLogCursor(string Time, long RowId)
{
    /// <summary>The cursor as a query parameter's value, e.g. <c>2026-03-01T12:00:00.000Z,4711</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Time},{RowId}");

    /// <summary>Reads <c>&lt;ISO 8601 time&gt;,&lt;id&gt;</c>; null when it is not one.</summary>
    public static RequestLogCursor? Parse(string text)
    {
        var comma = text.LastIndexOf(',');
        if (comma <= 0) return null;
        if (!DateTimeOffset.TryParse(text[..comma], CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)) return null;
        if (!long.TryParse(text[(comma + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var rowId)) return null;
        return new RequestLogCursor(RequestLogWriter.FormatTime(time), rowId);
    }
}
