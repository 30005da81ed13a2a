using System.Data.Common;
using Router.Contracts.Configuration;
using Router.Host.RequestLog;
using Router.Host.Tests.Caching;
using Router.Host.Tests.Storage;

namespace Router.Host.Tests.RequestLog;

/// <summary>
/// Keyset pages of the request log (<see cref="RequestLogCursor"/>) and the indexes they read, against SQLite and PostgreSQL:
/// following the cursor gives every row once, in order, while rows are written; each filter's page is an index range.
/// </summary>
public abstract class RequestLogPagingTests : StorageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private RequestLogWriter Writer() =>
        new(Storage, new RequestLogSettings(TimeSpan.FromDays(3650), TimeSpan.FromMilliseconds(10)), Path.Combine(DataDir, RequestLogOutbox.FileName),
            TimeProvider.System, new ListLogger<RequestLogWriter>());

    // Three requests a millisecond: the row id orders those the time cannot.
    private static RequestLogEntry Entry(int i, DateTimeOffset? time = null) => new()
    {
        Time = time ?? Start.AddMilliseconds(i / 3),
        RequestId = $"r{i:D4}",
        KeyId = i % 2 == 0 ? "key_even" : "key_odd",
        KeyAlias = i % 4 == 1 ? "odd-alias" : null,
        KeyPrefix = "sk-…abcd",
        RequestedModel = i % 3 == 0 ? "alpha" : "beta",
        RoutedModel = i % 3 == 0 ? "alpha" : "beta-2",
        Provider = i % 5 == 0 ? "east" : i % 11 == 10 ? null : "west", // none: a cache hit's
        Deployment = "p/m",
        Status = i % 7 == 0 ? 500 : 200,
        Tags = i % 3 == 1 ? ["batch", $"shard-{i % 2}"] : [],
        PromptTokens = 1,
        CompletionTokens = 1,
        LatencyMs = 1,
    };

    private async Task WriteAsync(IEnumerable<RequestLogEntry> entries)
    {
        var writer = Writer();
        await writer.StartAsync(Ct);
        foreach (var entry in entries) Assert.True(writer.TryWrite(entry));
        await writer.StopAsync(Ct);
    }

    public static TheoryData<string> Filters() =>
        ["none", "key", "alias", "prefix", "model", "requested model", "provider", "status", "failed", "tag", "tags"];

    private static RequestLogFilter FilterOf(string name) => name switch
    {
        "none" => new RequestLogFilter(),
        "key" => new RequestLogFilter(Key: "key_odd"),
        "alias" => new RequestLogFilter(Key: "odd-alias"),
        "prefix" => new RequestLogFilter(Key: "sk-…abcd"),
        "model" => new RequestLogFilter(Model: "beta-2"),
        "requested model" => new RequestLogFilter(Model: "beta"),
        "provider" => new RequestLogFilter(Provider: "west"),
        "status" => new RequestLogFilter(Status: 200),
        "failed" => new RequestLogFilter(Status: 500),
        "tag" => new RequestLogFilter(Tags: ["batch"]),
        "tags" => new RequestLogFilter(Key: "key_even", Tags: ["shard-0", "batch"]),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Following_the_cursor_gives_every_row_once_in_order_while_rows_are_written(string filterName)
    {
        const int Rows = 300;
        await WriteAsync(Enumerable.Range(0, Rows).Select(i => Entry(i)));
        var filter = FilterOf(filterName);
        var expected = new RequestLogQuery(Storage).Page(filter, 1, Rows).Rows.Select(r => r.RequestId).ToList();
        Assert.NotEmpty(expected);
        var query = new RequestLogQuery(Storage);

        var seen = new List<string>();
        RequestLogCursor? cursor = null;
        var pages = 0;
        do
        {
            var slice = query.Before(filter, cursor, 17, withAttempts: false);
            seen.AddRange(slice.Rows.Select(r => r.RequestId));
            cursor = slice.Next;
            // Newer rows arrive between two pages, some in the very millisecond the first page started at.
            if (pages++ < 3) await WriteAsync(Enumerable.Range(Rows + pages * 10, 10).Select(i => Entry(i, Start.AddMilliseconds((Rows - 1) / 3 + pages - 1))));
        } while (cursor is not null);

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task A_numbered_page_gives_the_cursor_of_the_next_one()
    {
        await WriteAsync(Enumerable.Range(0, 30).Select(i => Entry(i)));
        var query = new RequestLogQuery(Storage);

        var second = query.Page(new RequestLogFilter(), 2, 10);
        var third = query.Before(new RequestLogFilter(), second.Next, 10);

        Assert.Equal(query.Page(new RequestLogFilter(), 3, 10).Rows.Select(r => r.RequestId), third.Rows.Select(r => r.RequestId));
        var afterLast = query.Before(new RequestLogFilter(), third.Next, 10);
        Assert.Equal((0, null), (afterLast.Rows.Count, afterLast.Next));
        // A count stops where it is told: the explorer shows "10,000+" rather than count a year.
        Assert.Equal((30L, 30L, 12L), (second.Total, query.Count(new RequestLogFilter(), 100), query.Count(new RequestLogFilter(), 12)));
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Each_filters_page_reads_an_index_range_in_time_order(string filterName)
    {
        await WriteAsync(Enumerable.Range(0, 50).Select(i => Entry(i)));
        var plan = Plan(FilterOf(filterName), new RequestLogCursor("2026-03-01T12:00:00.010Z", 20));
        Assert.True(ReadsByIndexInOrder(plan, filterName is "key" or "alias" or "prefix" or "model" or "requested model" or "tags"),
            string.Join("\n", plan));
    }

    [Fact]
    public async Task Each_filter_gives_exactly_the_requests_it_names()
    {
        await WriteAsync(Enumerable.Range(0, 90).Select(i => Entry(i)));
        var query = new RequestLogQuery(Storage);

        AssertMatches(query, 90, new RequestLogFilter(Key: "key_odd"), i => i % 2 == 1);
        AssertMatches(query, 90, new RequestLogFilter(Key: "odd-alias"), i => i % 4 == 1); // the alias a key had for some of its rows
        AssertMatches(query, 90, new RequestLogFilter(Key: "sk-…abcd"), _ => true);        // a prefix two keys share
        AssertMatches(query, 90, new RequestLogFilter(Key: "nobody"), _ => false);
        AssertMatches(query, 90, new RequestLogFilter(Model: "beta"), i => i % 3 != 0);   // requested, routed to beta-2
        AssertMatches(query, 90, new RequestLogFilter(Model: "beta-2"), i => i % 3 != 0);
        AssertMatches(query, 90, new RequestLogFilter(Model: "alpha"), i => i % 3 == 0);  // requested and routed
        AssertMatches(query, 90, new RequestLogFilter(Key: "odd-alias", Model: "beta"), i => i % 4 == 1 && i % 3 != 0);
        AssertMatches(query, 90, new RequestLogFilter(Provider: "west"), i => i % 5 != 0 && i % 11 != 10);
        AssertMatches(query, 90, new RequestLogFilter(Status: 500), i => i % 7 == 0);
        AssertMatches(query, 90, new RequestLogFilter(Status: 200), i => i % 7 != 0);
    }

    /// <summary>The requests among the first <paramref name="rows"/> of <see cref="Entry"/> that match: the page, and the count.</summary>
    private static void AssertMatches(RequestLogQuery query, int rows, RequestLogFilter filter, Func<int, bool> matches)
    {
        var expected = Enumerable.Range(0, rows).Where(matches).Reverse().Select(i => $"r{i:D4}").ToList();
        var page = query.Page(filter, 1, rows + 10, withAttempts: false);
        Assert.Equal(expected, page.Rows.Select(r => r.RequestId));
        Assert.Equal((expected.Count, (long)expected.Count), (page.Total, query.Count(filter, 1000)));
    }

    [Fact]
    public async Task A_tag_filter_gives_exactly_the_requests_with_every_tag_asked_for_also_from_a_log_older_than_its_index()
    {
        await WriteAsync(Enumerable.Range(0, 60).Select(i => Entry(i)));
        var query = new RequestLogQuery(Storage);
        void AssertMatches(RequestLogFilter filter, Func<int, bool> tagged) => RequestLogPagingTests.AssertMatches(query, 60, filter, tagged);
        void AssertAll()
        {
            AssertMatches(new RequestLogFilter(Tags: ["batch"]), i => i % 3 == 1);
            AssertMatches(new RequestLogFilter(Tags: ["shard-0", "batch"]), i => i % 3 == 1 && i % 2 == 0);
            AssertMatches(new RequestLogFilter(Key: "key_odd", Tags: ["batch"]), i => i % 3 == 1 && i % 2 == 1);
            AssertMatches(new RequestLogFilter(Tags: ["Batch"]), _ => false); // exactly, case and all
            AssertMatches(new RequestLogFilter(Tags: ["batch"], From: Start.AddMilliseconds(10)), i => i % 3 == 1 && i >= 30);
        }
        AssertAll();

        // A log written before the index: its tags are indexed once, as the schema is prepared.
        Execute("DELETE FROM request_tags; DELETE FROM request_rollup_state WHERE name = 'tags'");
        Storage.Prepare();
        AssertAll();

        // Retention deletes a request's tags with it, and the names its key was logged under once no row has them.
        Assert.NotEqual(0L, Convert.ToInt64(Scalar("SELECT COUNT(*) FROM request_log_keys"), System.Globalization.CultureInfo.InvariantCulture));
        Writer().DeleteBatchOlderThan(Start.AddDays(1), 1000);
        Assert.Equal(0L, Convert.ToInt64(Scalar("SELECT COUNT(*) FROM request_tags"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0L, Convert.ToInt64(Scalar("SELECT COUNT(*) FROM request_log_keys"), System.Globalization.CultureInfo.InvariantCulture));
    }

    protected void Execute(string sql) => Scalar(sql);

    private object? Scalar(string sql)
    {
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>The database's plan of a page's query, one line a step.</summary>
    protected abstract List<string> Plan(DbConnection connection, string sql, DbCommand command);

    /// <summary>True when every read of the table is an index range, and (for one index) no sort follows it.</summary>
    protected abstract bool ReadsByIndexInOrder(List<string> plan, bool merged);

    private List<string> Plan(RequestLogFilter filter, RequestLogCursor cursor)
    {
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        var sql = new RequestLogQuery(Storage).PageSql(filter, cursor, command);
        return Plan(connection, sql, command);
    }

    protected static List<string> Lines(DbCommand command, int column)
    {
        var lines = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) lines.Add(reader.GetString(column));
        return lines;
    }
}

public sealed class SqliteRequestLogPagingTests : RequestLogPagingTests
{
    protected override Task<FreshStorage> CreateStorageAsync() => Task.FromResult(FreshStorage.Sqlite());

    protected override List<string> Plan(DbConnection connection, string sql, DbCommand command)
    {
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        return Lines(command, 3);
    }

    // "SEARCH requests USING INDEX requests_provider_time (provider=? AND time<?)"; a scan of the table or a sort of its rows would show.
    protected override bool ReadsByIndexInOrder(List<string> plan, bool merged) =>
        plan.Where(l => l.Contains("requests", StringComparison.Ordinal) || l.Contains("request_tags", StringComparison.Ordinal))
            .All(l => l.Contains("USING INDEX", StringComparison.Ordinal) || l.Contains("USING COVERING INDEX", StringComparison.Ordinal)
                      || l.Contains("USING PRIMARY KEY", StringComparison.Ordinal) || l.Contains("USING INTEGER PRIMARY KEY", StringComparison.Ordinal))
        && plan.Any(l => l.StartsWith("SEARCH requests", StringComparison.Ordinal))
        && (merged || !plan.Any(l => l.Contains("TEMP B-TREE", StringComparison.Ordinal)));
}

public sealed class PostgresRequestLogPagingTests(PostgresFixture postgres) : RequestLogPagingTests, IClassFixture<PostgresFixture>
{
    protected override Task<FreshStorage> CreateStorageAsync() => FreshStorage.PostgresAsync(postgres);

    // A table this small is cheaper to read whole: forbid that (and sorting), so the plan shows what the indexes allow.
    protected override List<string> Plan(DbConnection connection, string sql, DbCommand command)
    {
        using (var settings = connection.CreateCommand())
        {
            settings.CommandText = "SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off";
            settings.ExecuteNonQuery();
        }
        command.CommandText = "EXPLAIN " + sql;
        return Lines(command, 0);
    }

    // A disabled step PostgreSQL still had to take shows as such: a sequential scan, or a sort where no index gave the order.
    protected override bool ReadsByIndexInOrder(List<string> plan, bool merged) =>
        !plan.Any(l => l.Contains("Seq Scan", StringComparison.Ordinal))
        && plan.Any(l => l.Contains("Index Scan", StringComparison.Ordinal) && l.Contains("requests_", StringComparison.Ordinal))
        && (merged || !plan.Any(l => l.Contains("Sort", StringComparison.Ordinal)));

    [Fact]
    public void A_tag_page_is_read_in_the_tag_index_order_when_the_planner_is_left_to_choose()
    {
        // 20,000 requests, a quarter tagged, analysed. Joined plainly, PostgreSQL estimates a tag's rows and their requests at one
        // row, hashes every tagged row against every request and sorts them all for each page (2.5 s a page at 3.3M rows).
        Execute("""
            INSERT INTO requests (time, request_id, status, prompt_tokens, completion_tokens, cached_tokens, cost, cache_hit,
                                  saved_cost, latency_ms, overhead_ms, attempts, tags)
            SELECT to_char(timestamp '2026-03-01 12:00' + n * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   'r' || n, 200, 1, 1, 0, 0, 0, 0, 1, 0, 0, CASE WHEN n % 4 = 0 THEN '["batch"]' END
            FROM generate_series(1, 20000) AS n;
            INSERT INTO request_tags (tag, tagged_time, tagged_row) SELECT 'batch', time, id FROM requests WHERE tags IS NOT NULL;
            ANALYZE requests; ANALYZE request_tags;
            """);
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        var sql = new RequestLogQuery(Storage).PageSql(new RequestLogFilter(Tags: ["batch"]), new RequestLogCursor("2026-03-01T12:00:10.000Z", 10000), command);
        command.CommandText = "EXPLAIN " + sql;
        var plan = Lines(command, 0);

        Assert.True(plan.Any(l => l.Contains("Backward using request_tags_pkey", StringComparison.Ordinal))
                    && !plan.Any(l => l.Contains("Hash", StringComparison.Ordinal) || l.Contains("Sort", StringComparison.Ordinal)),
            string.Join("\n", plan));
    }
}
