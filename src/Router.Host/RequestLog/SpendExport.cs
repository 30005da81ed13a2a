using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Keys;

namespace Router.Host.RequestLog;

/// <summary>
/// <c>GET /spend/export?from=&amp;to=&amp;format=csv|jsonl</c>, master key only: the raw request rows in a time range, oldest first, as
/// CSV (the columns of <c>/spend/logs?format=csv</c>) or JSON Lines (one <c>/spend/logs</c> row, attempts included, a line), for
/// those who archive rows before the retention deletes them. Streamed: the rows are read a chunk at a time and written as read.
/// </summary>
public static class SpendExport
{
    private const int RowsPerFlush = 1000;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/spend/export", (HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin, RequestLogQuery query,
                ILogger<RequestLogQuery> logger) =>
            SpendEndpoints.RunAsync(context, authenticator, admin, "GET /spend/export", async () =>
            {
                var from = SpendEndpoints.Time(context, "from");
                var to = SpendEndpoints.Time(context, "to");
                if (from is not null && to is not null && from >= to) throw SpendEndpoints.Bad("to", "'to' must be later than 'from'.");
                var format = SpendEndpoints.Text(context, "format") ?? "csv";
                if (format is not ("csv" or "jsonl")) throw SpendEndpoints.Bad("format", "'format' must be csv or jsonl.");
                await WriteAsync(context, query.OldestFirst(new RequestLogFilter(From: from, To: to)), format, logger);
            }));

    private static async Task WriteAsync(HttpContext context, IEnumerable<RequestLogRow> rows, string format, ILogger logger)
    {
        var ct = context.RequestAborted;
        context.Response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"requests.{format}\"";
        try
        {
            await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 64 * 1024);
            if (format == "csv") await writer.WriteAsync(RequestLogQuery.CsvHeader.AsMemory(), ct);
            var written = 0;
            foreach (var row in rows)
            {
                var line = format == "csv" ? RequestLogQuery.CsvLine(row) : JsonSerializer.Serialize(row, WireJsonContext.Wire.RequestLogRow) + "\n";
                await writer.WriteAsync(line.AsMemory(), ct);
                if (++written % RowsPerFlush == 0) await writer.FlushAsync(ct);
            }
            await writer.FlushAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException && context.Response.HasStarted)
        {
            // Part of the export has left: cut the connection so the client sees a broken download, never a short file that looks whole.
            logger.LogError(e, "The export of the request log failed part-way; the connection is cut");
            context.Abort();
        }
    }
}
