using System.Text.Json;
using Microsoft.Extensions.Logging;
using Router.Contracts.Configuration;
using Router.Host.Health;
using Router.Host.RequestLog;
using Router.Host.Tests.Caching;
using Router.Tests.Shared;
using Router.Host.Tests.Storage;

namespace Router.Host.Tests.RequestLog;

/// <summary>The request log's writer and queries, against SQLite and PostgreSQL (the subclasses below).</summary>
public abstract class RequestLogWriterTests : StorageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RequestLogWriter Writer(TimeSpan interval, int capacity = 10_000, TimeProvider? clock = null, ListLogger<RequestLogWriter>? logger = null) =>
        new(Storage, new RequestLogSettings(TimeSpan.FromDays(30), interval), Path.Combine(DataDir, RequestLogOutbox.FileName), clock ?? TimeProvider.System,
            logger ?? new ListLogger<RequestLogWriter>(), capacity);

    private static RequestLogEntry Entry(string id, DateTimeOffset? time = null, int attempts = 0, string? key = "key_a") => new()
    {
        Time = time ?? DateTimeOffset.UtcNow,
        RequestId = id,
        KeyId = key,
        KeyPrefix = "sk-…abcd",
        RequestedModel = "m",
        RoutedModel = "m",
        Provider = "p",
        Deployment = "p/m",
        Status = 200,
        UpstreamStatus = 200,
        PromptTokens = 3,
        CompletionTokens = 4,
        Cost = 0.0000125m,
        LatencyMs = 12.5,
        Attempts = Enumerable.Range(1, attempts)
            .Select(n => new AttemptLogEntry(n, "p", "p/m", n == attempts ? 200 : 500, n == attempts ? 200 : 500, 5, n == attempts ? null : "provider",
                n == attempts ? "final" : "retry"))
            .ToList(),
    };

    private long Count(string table = "requests")
    {
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("Timed out waiting for " + what);
            await Task.Delay(20, Ct);
        }
    }

    [Fact]
    public async Task A_full_batch_of_waiting_rows_is_written_at_once_without_waiting_for_the_interval()
    {
        const int full = RequestLogWriter.BatchRows;
        var writer = Writer(TimeSpan.FromHours(1));
        await writer.StartAsync(Ct);
        for (var i = 0; i < full; i++) Assert.True(writer.TryWrite(Entry($"r{i}")));
        await Eventually(() => Count() == full, "a full batch");
        for (var i = full; i < full + full / 2; i++) Assert.True(writer.TryWrite(Entry($"r{i}")));

        await Task.Delay(200, Ct);
        Assert.Equal(full, Count()); // the half batch waits for the interval (an hour)
        Assert.Equal(1, writer.Batches);

        await writer.StopAsync(Ct);
        Assert.Equal(full + full / 2, Count());
        Assert.Equal(2, writer.Batches);
    }

    [Fact]
    public async Task A_backlog_is_written_in_larger_transactions_and_none_of_it_waits_for_the_interval()
    {
        var writer = Writer(TimeSpan.FromHours(1));
        var waiting = 2 * RequestLogWriter.BacklogBatchRows + RequestLogWriter.BacklogBatchRows / 2;
        for (var i = 0; i < waiting; i++) Assert.True(writer.TryWrite(Entry($"r{i}")));
        await writer.StartAsync(Ct);

        await Eventually(() => Count() == waiting, "the backlog");
        // Counted once stopped: a batch's rows are visible the moment it commits, just before the writer counts it.
        await writer.StopAsync(Ct);
        Assert.Equal(3, writer.Batches); // two of the larger size, then the rest, which was more than a batch
    }

    [Fact]
    public async Task A_few_rows_are_written_after_the_batch_interval()
    {
        var writer = Writer(TimeSpan.FromMilliseconds(100));
        await writer.StartAsync(Ct);
        writer.TryWrite(Entry("a"));
        writer.TryWrite(Entry("b", attempts: 2));
        await Eventually(() => Count() == 2 && Count("request_attempts") == 2, "the interval's batch");
        await writer.StopAsync(Ct);
        Assert.Equal(1, writer.Batches); // nothing was left for the stop to write
    }

    [Fact]
    public async Task More_rows_than_one_statement_takes_are_all_written_with_their_attempts()
    {
        var writer = Writer(TimeSpan.FromHours(1));
        await writer.StartAsync(Ct);
        for (var i = 0; i < 123; i++) writer.TryWrite(Entry($"r{i}", attempts: i % 3));
        await writer.StopAsync(Ct);

        Assert.Equal(123, Count());
        Assert.Equal(Enumerable.Range(0, 123).Sum(i => i % 3), Count("request_attempts"));
        var (rows, _) = new RequestLogQuery(Storage).Page(new RequestLogFilter(RequestId: "r122"), 1, 10);
        Assert.Equal(122 % 3, Assert.Single(rows).Attempts);
    }

    [Fact]
    public async Task A_batch_read_back_in_chunks_writes_every_row_attempt_tag_value_and_key_name_of_each_chunk()
    {
        // More entries than a batch's rows, so that the writer takes them all as one backlog batch, of several chunks.
        const int count = RequestLogWriter.BatchRows + 7;
        Assert.True(count > 3 * TakenBatch.ChunkEntries);
        var entries = Enumerable.Range(0, count).Select(i => Entry($"r{i}", attempts: i % 2, key: $"key_{i % 7}") with
        {
            KeyAlias = $"alias-{i % 7}", RequestedModel = $"model-{i:D3}", Tags = i % 5 == 0 ? ["five"] : [],
        }).ToList();
        var writer = Writer(TimeSpan.FromHours(1));
        foreach (var entry in entries) Assert.True(writer.TryWrite(entry));
        await writer.StartAsync(Ct);
        await writer.StopAsync(Ct);

        Assert.Equal(1, writer.Batches);
        Assert.Equal(count, Count());
        Assert.Equal(entries.Sum(e => e.Attempts.Count), Count("request_attempts"));
        Assert.Equal(entries.Count(e => e.Tags.Count > 0), Count("request_tags"));
        Assert.Equal(count, new RequestLogQuery(Storage).Totals(null, null).Requests);
        using var connection = Storage.OpenLogConnection();
        Assert.Equal(entries.Select(e => e.RequestedModel!), LogValues.Read(connection, "model", 1_000));
        for (var key = 0; key < 7; key++) Assert.Equal([$"key_{key}"], LogKeyNames.KeyIds(connection, $"alias-{key}"));
    }

    [Fact]
    public async Task Stopping_writes_every_waiting_row_with_its_attempts_and_the_keys_alias()
    {
        var writer = Writer(TimeSpan.FromHours(1));
        await writer.StartAsync(Ct);
        writer.TryWrite(Entry("one", attempts: 3) with { KeyAlias = "team-a", UpstreamError = """{"error":{"message":"x, \"y\""}}""" });
        writer.TryWrite(Entry("two", key: "key_b"));
        await Task.Delay(100, Ct);
        Assert.Equal(0, Count());

        await writer.StopAsync(Ct);

        Assert.Equal(2, Count());
        Assert.Equal(3, Count("request_attempts"));
        var (rows, total) = new RequestLogQuery(Storage).Page(new RequestLogFilter(), 1, 10);
        Assert.Equal(2, total);
        var one = rows.Single(r => r.RequestId == "one");
        Assert.Equal("team-a", one.KeyAlias);
        Assert.Null(rows.Single(r => r.RequestId == "two").KeyAlias);
        Assert.Equal(3, one.Attempts);
        Assert.Equal(["retry", "retry", "final"], one.AttemptLog!.Select(a => a.Verdict));
        Assert.Equal(0.0000125m, one.Cost);
        Assert.Equal("x, \"y\"", one.UpstreamError!.Value.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public void A_full_channel_drops_and_counts_instead_of_blocking_and_warns_once_a_minute()
    {
        var clock = new ManualClock();
        var logger = new ListLogger<RequestLogWriter>();
        var writer = Writer(TimeSpan.FromHours(1), capacity: 2, clock, logger); // never started: nothing drains

        var written = Enumerable.Range(0, 5).Select(i => writer.TryWrite(Entry($"r{i}"))).ToList();

        Assert.Equal([true, true, false, false, false], written);
        Assert.Equal(3, writer.Dropped);
        Assert.Equal(1, logger.Count(LogLevel.Warning));
        clock.Advance(TimeSpan.FromSeconds(30));
        writer.TryWrite(Entry("r5"));
        Assert.Equal(1, logger.Count(LogLevel.Warning));
        clock.Advance(TimeSpan.FromSeconds(31));
        writer.TryWrite(Entry("r6"));
        Assert.Equal(2, logger.Count(LogLevel.Warning));
        Assert.Equal(5, writer.Dropped);
    }

    [Fact]
    public async Task A_request_waits_for_room_in_a_full_channel_rather_than_lose_its_row()
    {
        var writer = Writer(TimeSpan.FromMilliseconds(50), capacity: 2);
        Assert.True(writer.TryWrite(Entry("r0")));
        Assert.True(writer.TryWrite(Entry("r1")));

        var waiting = writer.WriteAsync(Entry("r2")).AsTask();
        await Task.Delay(200, Ct);
        Assert.False(waiting.IsCompleted); // nothing drains until the writer starts
        await writer.StartAsync(Ct);

        Assert.True(await waiting);
        await writer.StopAsync(Ct);
        Assert.Equal(3, Count());
        Assert.Equal(0, writer.Dropped);
    }

    [Fact]
    public async Task A_row_that_finds_no_room_within_the_wait_is_dropped_and_counted()
    {
        var writer = Writer(TimeSpan.FromHours(1), capacity: 1); // never started: nothing drains
        Assert.True(writer.TryWrite(Entry("r0")));

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.False(await writer.WriteAsync(Entry("r1")));

        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= RequestLogWriter.FullWait * 0.9);
        Assert.Equal(1, writer.Dropped);
    }

    [Fact]
    public async Task Retention_deletes_requests_and_their_attempts_older_than_the_cutoff()
    {
        var now = DateTimeOffset.UtcNow;
        var writer = Writer(TimeSpan.FromHours(1));
        await writer.StartAsync(Ct);
        writer.TryWrite(Entry("old", now.AddDays(-31), attempts: 2));
        writer.TryWrite(Entry("new", now.AddDays(-29), attempts: 1));
        await writer.StopAsync(Ct);
        Assert.Equal(2, Count());

        Assert.Equal(1, writer.DeleteOlderThan(now.AddDays(-30)));

        var (rows, _) = new RequestLogQuery(Storage).Page(new RequestLogFilter(), 1, 10);
        Assert.Equal("new", Assert.Single(rows).RequestId);
        Assert.Equal(1, Count("request_attempts"));
    }

    [Fact]
    public async Task Retention_deletes_old_rows_a_batch_at_a_time()
    {
        var now = DateTimeOffset.UtcNow;
        var writer = Writer(TimeSpan.FromHours(1));
        await writer.StartAsync(Ct);
        for (var i = 0; i < 25; i++) writer.TryWrite(Entry($"old{i}", now.AddDays(-40).AddMinutes(i), attempts: 1));
        writer.TryWrite(Entry("new", now.AddDays(-1), attempts: 1));
        await writer.StopAsync(Ct);

        // The oldest first, ten a statement: the last batch is short, which ends the pass.
        Assert.Equal([10, 10, 5, 0], Enumerable.Range(0, 4).Select(_ => writer.DeleteBatchOlderThan(now.AddDays(-30), 10)));

        Assert.Equal((1L, 1L), (Count(), Count("request_attempts")));
        Assert.Equal("new", Assert.Single(new RequestLogQuery(Storage).Page(new RequestLogFilter(), 1, 10).Rows).RequestId);
    }

    [Fact]
    public async Task A_retention_pass_in_batches_deletes_every_old_row_and_keeps_the_rows_written_meanwhile()
    {
        var first = Writer(TimeSpan.FromHours(1));
        await first.StartAsync(Ct);
        for (var i = 0; i < 95; i++) first.TryWrite(Entry($"old{i}", DateTimeOffset.UtcNow.AddDays(-40).AddSeconds(i)));
        await first.StopAsync(Ct);

        var log = new ListLogger<RequestLogWriter>();
        var second = new RequestLogWriter(Storage, new RequestLogSettings(TimeSpan.FromDays(30), TimeSpan.FromMilliseconds(10)),
            Path.Combine(DataDir, RequestLogOutbox.FileName), TimeProvider.System, log, retentionBatchRows: 10);
        await second.StartAsync(Ct);
        for (var i = 0; i < 20; i++) second.TryWrite(Entry($"new{i}"));
        await Eventually(() => log.Entries.Any(e => e.Message.Contains("Deleted 95 request log rows", StringComparison.Ordinal)), "the retention pass");
        await second.StopAsync(Ct);

        Assert.Equal(20, Count());
    }

    [Fact]
    public async Task Retention_runs_when_the_writer_starts()
    {
        var log = new ListLogger<RequestLogWriter>();
        var first = Writer(TimeSpan.FromHours(1), logger: log);
        await first.StartAsync(Ct);
        first.TryWrite(Entry("old", DateTimeOffset.UtcNow.AddDays(-40)));
        await first.StopAsync(Ct);
        Assert.True(1 == Count(), string.Join("\n", log.Entries.Select(e => e.Message)));

        var second = Writer(TimeSpan.FromHours(1));
        await second.StartAsync(Ct);
        await Eventually(() => Count() == 0, "retention");
        await second.StopAsync(Ct);
    }

    [Fact]
    public async Task Filters_and_paging_select_the_rows_newest_first()
    {
        var start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var writer = Writer(TimeSpan.FromHours(1));
        await writer.StartAsync(Ct);
        for (var i = 0; i < 10; i++)
            writer.TryWrite(Entry($"r{i}", start.AddMinutes(i)) with { Status = i % 2 == 0 ? 200 : 400, Provider = i < 5 ? "east" : "west" });
        await writer.StopAsync(Ct);
        var query = new RequestLogQuery(Storage);

        var (page2, total) = query.Page(new RequestLogFilter(), 2, 3);
        Assert.Equal(10, total);
        Assert.Equal(["r6", "r5", "r4"], page2.Select(r => r.RequestId));
        Assert.Equal(5, query.Page(new RequestLogFilter(Status: 400), 1, 100).Total);
        Assert.Equal(["r4", "r2", "r0"], query.Page(new RequestLogFilter(Status: 200, Provider: "east"), 1, 100).Rows.Select(r => r.RequestId));
        Assert.Equal(["r3", "r2"], query.Page(new RequestLogFilter(From: start.AddMinutes(2), To: start.AddMinutes(4)), 1, 100).Rows.Select(r => r.RequestId));
        Assert.Equal("r7", Assert.Single(query.Page(new RequestLogFilter(RequestId: "r7"), 1, 100).Rows).RequestId);

        var report = query.Report("provider", null, null);
        Assert.Equal(["east", "west"], report.Select(r => r.Group));
        Assert.Equal(5, report[0].Requests);
        Assert.Equal(2, report[0].Errors); // r1, r3
        Assert.Equal(15, report[0].PromptTokens);
        Assert.Equal(5 * 0.0000125m, report[0].Cost);
        Assert.Equal(LatencyHistogram.Bound(LatencyHistogram.Index(12.5)), report[0].P50LatencyMs); // the bound of its rollup bucket
    }

    [Fact]
    public async Task Metadata_tags_and_mocked_are_kept_and_a_tag_filter_matches_the_requests_having_every_tag_given()
    {
        var start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var writer = Writer(TimeSpan.FromHours(1));
        await writer.StartAsync(Ct);
        writer.TryWrite(Entry("both", start) with { Tags = ["prod", "team-a"], Metadata = """{"trace_id":"t1","n":{"x":[1,2]}}""", Mocked = true });
        writer.TryWrite(Entry("prod", start.AddMinutes(1)) with { Tags = ["prod"] });
        // A tag that holds what JSON escapes and SQL's LIKE would treat as wildcards: matched exactly, nothing more.
        writer.TryWrite(Entry("odd", start.AddMinutes(2)) with { Tags = ["50%_\"quoted\"", "Prod"] });
        writer.TryWrite(Entry("none", start.AddMinutes(3)));
        await writer.StopAsync(Ct);
        var query = new RequestLogQuery(Storage);
        string[] Ids(params string[] tags) => query.Page(new RequestLogFilter(Tags: tags), 1, 100).Rows.Select(r => r.RequestId).ToArray();

        Assert.Equal(["prod", "both"], Ids("prod"));
        Assert.Equal(["both"], Ids("prod", "team-a"));
        Assert.Equal(["odd"], Ids("Prod"));
        Assert.Equal(["odd"], Ids("50%_\"quoted\""));
        Assert.Empty(Ids("50%"));
        Assert.Empty(Ids("team-a", "missing"));

        var rows = query.Page(new RequestLogFilter(), 1, 100).Rows.ToDictionary(r => r.RequestId);
        Assert.Equal(["prod", "team-a"], rows["both"].Tags);
        Assert.Equal("t1", rows["both"].Metadata!.Value.GetProperty("trace_id").GetString());
        Assert.Equal(2, rows["both"].Metadata!.Value.GetProperty("n").GetProperty("x")[1].GetInt32());
        Assert.True(rows["both"].Mocked);
        Assert.Equal((0, null, false), (rows["none"].Tags.Count, rows["none"].Metadata, rows["none"].Mocked));
    }
}

public sealed class SqliteRequestLogWriterTests : RequestLogWriterTests
{
    protected override Task<FreshStorage> CreateStorageAsync() => Task.FromResult(FreshStorage.Sqlite());
}

public sealed class PostgresRequestLogWriterTests(PostgresFixture postgres) : RequestLogWriterTests, IClassFixture<PostgresFixture>
{
    protected override Task<FreshStorage> CreateStorageAsync() => FreshStorage.PostgresAsync(postgres);
}
