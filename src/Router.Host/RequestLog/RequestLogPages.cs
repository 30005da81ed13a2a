using System.Data.Common;
using Router.Contracts.Wire;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>A page of requests and the cursor of its last row: where the next page starts (null when there is none).</summary>
public sealed record RequestLogSlice(IReadOnlyList<RequestLogRow> Rows, RequestLogCursor? Next);

/// <summary>A page of requests by number, how many match in all, and where the page after it starts.</summary>
public sealed record NumberedPage(IReadOnlyList<RequestLogRow> Rows, long Total, RequestLogCursor? Next)
{
    public void Deconstruct(out IReadOnlyList<RequestLogRow> rows, out long total) => (rows, total) = (Rows, Total);
}

/// <summary>
/// Pages of the request log in (time, row id) order. Each filter has an index that ends with the time
/// (<see cref="StorageSchema.RequestLogIndexes"/>), so a page is one index range read from its cursor: a filter that
/// matches one of several (a key by its id, or each key logged under the alias or prefix asked for; a routed model, or a
/// requested one routed elsewhere) reads each range and merges the few rows each gives, rather than sorting every match.
/// </summary>
public sealed partial class RequestLogQuery
{
    // The row id comes after the columns a row is read from.
    private static readonly int RowIdOrdinal = Columns.Split(',').Length;

    /// <summary>
    /// A page of matching requests by number, newest first, with their attempts; and how many match in all. A deep page skips
    /// the rows before it: <see cref="Before"/> with the page's <see cref="NumberedPage.Next"/> reads the next one without.
    /// </summary>
    public NumberedPage Page(RequestLogFilter filter, int page, int size, bool withAttempts = true)
    {
        using var connection = storage.OpenLogConnection();
        var total = CountMatching(connection, filter);
        var (rows, last) = Read(connection, filter, null, size, (long)(page - 1) * size, newestFirst: true, withAttempts);
        return new NumberedPage(rows, total, rows.Count == size ? last : null);
    }

    /// <summary>The page of matching requests just older than <paramref name="before"/> (the newest with none), newest first.</summary>
    public RequestLogSlice Before(RequestLogFilter filter, RequestLogCursor? before, int size, bool withAttempts = true)
    {
        using var connection = storage.OpenLogConnection();
        var (rows, last) = Read(connection, filter, before, size, 0, newestFirst: true, withAttempts);
        return new RequestLogSlice(rows, rows.Count == size ? last : null);
    }

    /// <summary>How many requests match, counting no further than <paramref name="atMost"/>: a count costs every row it counts.</summary>
    public long Count(RequestLogFilter filter, long atMost)
    {
        using var connection = storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM (SELECT 1 FROM {FromWhere(filter, command)} LIMIT @at_most) matching";
        command.AddParameter("@at_most", atMost);
        return Convert.ToInt64(command.ExecuteScalar());
    }

    /// <summary>
    /// Every matching request, oldest first, with its attempts, read <paramref name="chunkRows"/> at a time, each chunk a
    /// short query of its own: an export of a year holds neither the rows in memory nor a read transaction open for its length.
    /// </summary>
    public IEnumerable<RequestLogRow> OldestFirst(RequestLogFilter filter, int chunkRows = 1000)
    {
        RequestLogCursor? after = null;
        while (true)
        {
            List<RequestLogRow> rows;
            using (var connection = storage.OpenLogConnection())
                (rows, after) = Read(connection, filter, after, chunkRows, 0, newestFirst: false, withAttempts: true);
            foreach (var row in rows) yield return row;
            if (rows.Count < chunkRows) yield break;
        }
    }

    private long CountMatching(DbConnection connection, RequestLogFilter filter)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {FromWhere(filter, command)}";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The SQL of a page (what <see cref="Read"/> runs), for a look at its plan.</summary>
    public string PageSql(RequestLogFilter filter, RequestLogCursor? from, DbCommand command) =>
        PageCommand(filter, from, 100, 0, newestFirst: true, command);

    private (List<RequestLogRow> Rows, RequestLogCursor? Last) Read(
        DbConnection connection, RequestLogFilter filter, RequestLogCursor? from, int limit, long offset, bool newestFirst, bool withAttempts)
    {
        using var command = connection.CreateCommand();
        command.CommandText = PageCommand(filter, from, limit, offset, newestFirst, command);
        var rows = new List<RequestLogRow>();
        RequestLogCursor? last = null;
        using (var reader = command.ExecuteReader())
            while (reader.Read())
            {
                rows.Add(Read(reader));
                last = new RequestLogCursor(rows[^1].Time, reader.GetInt64(RowIdOrdinal));
            }
        if (withAttempts && rows.Count > 0)
        {
            var attempts = Attempts(connection, rows.Select(r => r.RequestId).ToList());
            rows = rows.Select(r => r with { AttemptLog = attempts.GetValueOrDefault(r.RequestId) ?? [] }).ToList();
        }
        return (rows, last);
    }

    private string PageCommand(RequestLogFilter filter, RequestLogCursor? from, int limit, long offset, bool newestFirst, DbCommand command)
    {
        var source = PageSource(filter, command, inOrder: true);
        var (clauses, alternatives) = Conditions(filter, command, source.Time);
        var (time, id) = (source.Time, source.RowId);
        if (from is not null)
        {
            command.AddParameter("@cursor_time", from.Time);
            command.AddParameter("@cursor_id", from.RowId);
            // The time bound alone is what the index ranges over; the id only breaks ties within one millisecond.
            clauses.Add(newestFirst
                ? $"{time} <= @cursor_time AND ({time} < @cursor_time OR {id} < @cursor_id)"
                : $"{time} >= @cursor_time AND ({time} > @cursor_time OR {id} > @cursor_id)");
        }
        var order = newestFirst ? "DESC" : "ASC";
        command.AddParameter("@limit", limit);
        command.AddParameter("@offset", offset);

        string Branch(string? alternative)
        {
            List<string> all = alternative is null ? clauses : [alternative, .. clauses];
            var where = all.Count == 0 ? "" : " WHERE " + string.Join(" AND ", all);
            return $"SELECT {Columns}, requests.{storage.RequestRowId} AS row_id FROM {source.From}{where} ORDER BY {time} {order}, {id} {order}";
        }

        if (alternatives.Count == 0) return Branch(null) + " LIMIT @limit OFFSET @offset";
        // Each column's own index gives its newest rows; the union drops a row two columns both match.
        command.AddParameter("@branch_limit", offset + limit);
        return string.Join(" UNION ", alternatives.Select((a, i) => $"SELECT * FROM ({Branch(a)} LIMIT @branch_limit) branch{i}"))
               + $" ORDER BY time {order}, row_id {order} LIMIT @limit OFFSET @offset";
    }

    /// <summary>
    /// Where matching rows are read from, and the columns that order them (time, then row id): <c>requests</c> itself, or,
    /// when tags are asked for, the rows of <c>request_tags</c> for the first of them, in the same order, each joined to its
    /// request. A tag has no column of its own in <c>requests</c> to index (a request has any number), so its side table is
    /// its index: a rare tag reads its few rows, where the time index would read every row of the range to find them.
    /// </summary>
    /// <param name="inOrder">For a page, read in order until it is full, rather than for a count of every match.</param>
    private (string From, string Time, string RowId) PageSource(RequestLogFilter filter, DbCommand command, bool inOrder)
    {
        if (filter.Tags is not { Count: > 0 } tags) return ("requests", "time", storage.RequestRowId);
        command.AddParameter("@tagged", tags[0]);
        return (inOrder ? storage.TaggedRequestsInOrder("@tagged") : storage.TaggedRequests("@tagged"), "tagged_time", "tagged_row");
    }

    /// <summary>
    /// The filter as conditions that all hold, and the alternatives of the one filter that matches any of several columns (the
    /// key, else the model), each read from its own index. A count (<see cref="FromWhere"/>) ORs the alternatives back together.
    /// </summary>
    /// <param name="time">The column the time bounds apply to: <c>requests.time</c>, or its copy in the table a page is read from.</param>
    private (List<string> Clauses, List<string> Alternatives) Conditions(RequestLogFilter filter, DbCommand command, string time)
    {
        var clauses = new List<string>();
        var alternatives = new List<string>();
        void Add(string clause, string name, object value)
        {
            clauses.Add(clause);
            command.AddParameter(name, value);
        }
        if (filter.Key is { } key)
        {
            command.AddParameter("@key", key);
            alternatives.Add("key_id = @key");
            // An alias or a prefix has no index: the rows of each key logged under it, by the key id's, that still carry it.
            var named = LogKeyNames.KeyIds(command.Connection!, key).Where(id => id != key).ToList();
            for (var i = 0; i < named.Count; i++)
            {
                command.AddParameter($"@named_key{i}", named[i]);
                alternatives.Add($"key_id = @named_key{i} AND (key_alias = @key OR key_prefix = @key)");
            }
        }
        if (filter.Model is { } model)
        {
            command.AddParameter("@model", model);
            // The requested model's index holds only the rows routed to another model (the others are in the routed model's).
            string[] models = ["routed_model = @model", $"requested_model = @model AND {StorageSchema.Rerouted}"];
            if (alternatives.Count == 0) alternatives.AddRange(models);
            else clauses.Add("(" + string.Join(" OR ", models.Select(m => $"({m})")) + ")");
        }
        if (filter.Provider is { } provider) Add("provider = @provider", "@provider", provider);
        // The status's index holds only the failures; the successes are read from the time index, where they are most rows.
        if (filter.Status is { } status) Add(status == 200 ? "status = @status" : $"status = @status AND {StorageSchema.NotOk}", "@status", status);
        if (filter.From is { } from) Add($"{time} >= @from", "@from", RequestLogWriter.FormatTime(from));
        if (filter.To is { } to) Add($"{time} < @to", "@to", RequestLogWriter.FormatTime(to));
        if (filter.RequestId is { } requestId) Add("request_id = @request_id", "@request_id", requestId);
        // The first tag is the rows' source (PageSource reads request_tags for it): only the others are looked for in each row's JSON.
        for (var i = 1; i < (filter.Tags?.Count ?? 0); i++) Add(storage.JsonArrayContains("tags", $"@tag{i}"), $"@tag{i}", filter.Tags![i]);
        return (clauses, alternatives);
    }
}
