using System.Globalization;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Http;
using Router.Host.Keys;

namespace Router.Host.RequestLog;

/// <summary>
/// The request log over HTTP, master key only: <c>GET /spend/logs</c> (filters, paging by number or by cursor, JSON or CSV),
/// <c>GET /spend/report</c> (totals grouped by model, provider, key or day) and <c>GET /spend/export</c> (<see cref="SpendExport"/>).
/// </summary>
public static class SpendEndpoints
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/spend/logs", (HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin, RequestLogQuery query) =>
            RunAsync(context, authenticator, admin, "GET /spend/logs", async () =>
            {
                var q = context.Request.Query;
                var filter = new RequestLogFilter(
                    Text(context, "key"), Text(context, "model"), Text(context, "provider"),
                    Text(context, "status") is { } status ? Int(status, "status", 100, 599) : null,
                    Time(context, "from"), Time(context, "to"), Text(context, "request_id"), Tags(context));
                var page = Text(context, "page") is { } p ? Int(p, "page", 1, int.MaxValue) : 1;
                var before = Cursor(context);
                var size = Text(context, "size") is { } s ? Int(s, "size", 1, MaxPageSize) : DefaultPageSize;
                var format = Text(context, "format") ?? "json";
                if (format is not ("json" or "csv")) throw Bad("format", "'format' must be json or csv.");

                // A cursor reads the page after it by the index, and counts nothing (page stays for LiteLLM's clients: it numbers
                // pages by skipping rows, and counts them all).
                IReadOnlyList<RequestLogRow> rows;
                long? total = null;
                RequestLogCursor? next;
                if (before is null)
                {
                    var numbered = query.Page(filter, page, size, withAttempts: format == "json");
                    (rows, total, next) = (numbered.Rows, numbered.Total, numbered.Next);
                }
                else (rows, next) = query.Before(filter, before, size, withAttempts: format == "json");
                if (format == "csv")
                {
                    context.Response.ContentType = "text/csv; charset=utf-8";
                    if (total is not null) context.Response.Headers["x-total-count"] = total.Value.ToString(CultureInfo.InvariantCulture);
                    if (next is not null) context.Response.Headers["x-next-before"] = next.ToString();
                    await context.Response.WriteAsync(RequestLogQuery.ToCsv(rows), context.RequestAborted);
                    return;
                }
                // Asked by cursor, the page has no number: 0.
                await context.Response.WriteAsJsonAsync(new RequestLogPage(rows, before is null ? page : 0, size, total, next?.ToString()),
                    WireJsonContext.Wire.RequestLogPage, contentType: null, context.RequestAborted);
            }));
        app.MapGet("/spend/report", (HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin, RequestLogQuery query) =>
            RunAsync(context, authenticator, admin, "GET /spend/report", async () =>
            {
                var groupBy = Text(context, "group_by") ?? "model";
                if (!RequestLogQuery.Groups.ContainsKey(groupBy)) throw Bad("group_by", "'group_by' must be model, provider, key or day.");
                var from = Time(context, "from");
                var to = Time(context, "to");
                var rows = query.Report(groupBy, from, to);
                var report = new SpendReport(groupBy, from is null ? null : RequestLogWriter.FormatTime(from.Value),
                    to is null ? null : RequestLogWriter.FormatTime(to.Value), rows);
                await context.Response.WriteAsJsonAsync(report, WireJsonContext.Wire.SpendReport, contentType: null, context.RequestAborted);
            }));
        SpendExport.Map(app);
    }

    internal static Task RunAsync(HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin, string endpoint, Func<Task> handle) =>
        MasterOnly.RunAsync(context, authenticator, admin, endpoint, _ => handle());

    internal static string? Text(HttpContext context, string name)
    {
        var value = context.Request.Query[name].ToString().Trim();
        return value.Length == 0 ? null : value;
    }

    /// <summary>
    /// <c>tag=</c>, repeatable: the requests that have every tag given (exact match). A tag longer than any request may
    /// carry, or more of them than a request may have, could match nothing: refused rather than answered empty.
    /// </summary>
    private static IReadOnlyList<string>? Tags(HttpContext context)
    {
        var tags = context.Request.Query["tag"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).Distinct(StringComparer.Ordinal).ToList();
        if (tags.Count == 0) return null;
        if (tags.Count > TagsColumn.MaxTags || tags.Any(t => t.Length > TagsColumn.MaxTagLength))
            throw Bad("tag", $"At most {TagsColumn.MaxTags} 'tag' values, each of at most {TagsColumn.MaxTagLength} characters.");
        return tags;
    }

    /// <summary><c>before=&lt;time&gt;,&lt;id&gt;</c>, as a page's <c>next_before</c> gives it; not with <c>page</c>, which numbers pages another way.</summary>
    private static RequestLogCursor? Cursor(HttpContext context)
    {
        if (Text(context, "before") is not { } text) return null;
        if (Text(context, "page") is not null) throw Bad("before", "'before' and 'page' cannot be combined: follow next_before from page to page.");
        return RequestLogCursor.Parse(text)
               ?? throw Bad("before", "'before' must be a page's next_before: <time>,<id>, such as 2026-01-31T12:00:00.000Z,4711.");
    }

    private static int Int(string text, string name, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Bad(name, $"'{name}' must be a whole number from {min} to {max}.");

    internal static DateTimeOffset? Time(HttpContext context, string name)
    {
        if (Text(context, name) is not { } text) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var time)
            ? time
            : throw Bad(name, $"'{name}' must be an ISO 8601 time, such as 2026-01-31T12:00:00Z.");
    }

    internal static RouterError Bad(string param, string message) => RouterError.InvalidRequest(message, param, "invalid_" + param);
}
