using Router.Contracts.Configuration;
using Router.Host.Dashboard;
using Router.Host.RequestLog;
using Router.Host.Tests.Storage;
using Router.Host.Tests.Caching;

namespace Router.Host.Tests.RequestLog;

/// <summary>The dashboard's reads of the request log, on a real log written by the real writer, in SQLite and PostgreSQL (subclasses below).</summary>
public abstract class RequestLogStatsTests : StorageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private RequestLogQuery Query => new(Storage);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task WriteAsync(IEnumerable<RequestLogEntry> entries)
    {
        var writer = new RequestLogWriter(Storage, new RequestLogSettings(TimeSpan.FromDays(3650), TimeSpan.FromHours(1)),
            Path.Combine(DataDir, RequestLogOutbox.FileName), TimeProvider.System,
            new ListLogger<RequestLogWriter>());
        await writer.StartAsync(Ct);
        foreach (var entry in entries) Assert.True(writer.TryWrite(entry));
        await writer.StopAsync(Ct); // writes everything waiting
    }

    private static RequestLogEntry Entry(int n, string model, double latency, int status = 200, string? origin = null, bool hit = false,
        decimal cost = 0.001m, double? ttft = null, TimeSpan? at = null) => new()
    {
        Time = T0 + (at ?? TimeSpan.FromSeconds(n)),
        RequestId = $"r{n}",
        KeyId = n % 2 == 0 ? "master" : "key_b",
        KeyPrefix = n % 2 == 0 ? "sk-master…" : "sk-bbbbbbb…",
        RequestedModel = model,
        RoutedModel = model,
        Provider = hit || origin == "router" ? null : "p",
        Status = status,
        ErrorOrigin = origin,
        PromptTokens = 10,
        CompletionTokens = 5,
        Cost = hit ? 0 : cost,
        CacheHit = hit,
        SavedCost = hit ? cost : 0,
        LatencyMs = latency,
        TtftMs = ttft,
        OverheadMs = latency / 10,
    };

    [Fact]
    public async Task Percentiles_are_nearest_rank_over_all_requests_and_per_model()
    {
        // "a": latencies 1..100 ms; "b": 200 and 400 ms, one streamed.
        await WriteAsync(Enumerable.Range(1, 100).Select(i => Entry(i, "a", i))
            .Append(Entry(101, "b", 200, ttft: 50)).Append(Entry(102, "b", 400)));

        var rows = Query.Percentiles("model", null, null);

        var all = rows[0];
        Assert.Null(all.Group);
        Assert.Equal(102, all.Requests);
        // From the rollups' buckets: each percentile is the upper bound of the bucket that holds the exact nearest-rank value.
        Assert.Equal((Bucket(51), Bucket(97), Bucket(200)), (all.P50, all.P95, all.P99)); // ranks 51, 97 and 101 of 102
        Assert.Equal(Bucket(50), all.TtftP50);
        var a = rows.Single(r => r.Group == "a");
        Assert.Equal((Bucket(50), Bucket(95), Bucket(99)), (a.P50, a.P95, a.P99));
        Assert.Null(a.TtftP50);
        Assert.Equal(Bucket(9.5), a.OverheadP95);
        var b = rows.Single(r => r.Group == "b");
        Assert.Equal((Bucket(200), Bucket(400), Bucket(400)), (b.P50, b.P95, b.P99));
    }

    private static double Bucket(double ms) => LatencyHistogram.Bound(LatencyHistogram.Index(ms));

    [Fact]
    public async Task Totals_errors_and_choices_count_what_was_written_within_the_range()
    {
        await WriteAsync([
            Entry(1, "a", 10),
            Entry(2, "a", 10, hit: true, cost: 0.004m),
            Entry(3, "b", 10, status: 502, origin: "provider", cost: 0),
            Entry(4, "b", 10, status: 429, origin: "router", cost: 0),
            Entry(5, "b", 10, status: 502, origin: "provider", cost: 0),
            Entry(6, "a", 10, at: TimeSpan.FromDays(-2)), // before the range
        ]);

        var totals = Query.Totals(T0, null);
        Assert.Equal(new RequestTotals(5, 50, 25, 0.001m, 3, 1, 2, 1, 0.004m), totals);
        Assert.Equal(0.6, totals.ErrorRate, 6);
        Assert.Equal(0.2, totals.CacheHitRate, 6);
        Assert.Equal(6, Query.Totals(null, null).Requests);
        Assert.Equal(new RequestTotals(0, 0, 0, 0, 0, 0, 0, 0, 0), Query.Totals(T0.AddDays(1), null));

        Assert.Equal([new ErrorCount("provider", 502, "p", 2), new ErrorCount("router", 429, null, 1)], Query.Errors(T0, null));

        var choices = Query.Choices();
        Assert.Equal(["a", "b"], choices.Models);
        Assert.Equal(["sk-bbbbbbb…", "sk-master…"], choices.Keys);
        Assert.Equal(["p"], choices.Providers);
        Assert.Equal([200, 429, 502], choices.Statuses);
    }

    [Fact]
    public async Task Filter_values_are_kept_as_rows_are_logged_go_with_retention_and_are_rebuilt_from_an_older_log()
    {
        await WriteAsync([Entry(1, "a", 10), Entry(2, "old", 10, status: 502, origin: "provider", at: TimeSpan.FromDays(-40))]);
        Assert.Equal(["a", "old"], Query.Choices().Models);
        Assert.Equal([200, 502], Query.Choices().Statuses);

        // A log written before the values were kept: preparing the schema fills them from it.
        using (var connection = Storage.OpenLogConnection())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "DELETE FROM request_log_values";
            command.ExecuteNonQuery();
        }
        Assert.Empty(Query.Choices().Models);
        Storage.Prepare();
        Assert.Equal(["a", "old"], Query.Choices().Models);
        Assert.Equal(["sk-bbbbbbb…", "sk-master…"], Query.Choices().Keys);

        // Retention deletes the old row, and the values only it had go with it.
        var writer = new RequestLogWriter(Storage, new RequestLogSettings(TimeSpan.FromDays(30), TimeSpan.FromHours(1)),
            Path.Combine(DataDir, RequestLogOutbox.FileName), TimeProvider.System, new ListLogger<RequestLogWriter>());
        Assert.Equal(1, writer.DeleteOlderThan(T0.AddDays(-30)));
        var choices = Query.Choices();
        Assert.Equal(["a"], choices.Models);
        Assert.Equal(["sk-bbbbbbb…"], choices.Keys);
        Assert.Equal(["p"], choices.Providers);
        Assert.Equal([200], choices.Statuses);
    }

    [Fact]
    public async Task Series_sum_requests_and_cost_per_bucket_and_group()
    {
        await WriteAsync([
            Entry(1, "a", 10, at: TimeSpan.FromMinutes(1)),
            Entry(2, "a", 10, at: TimeSpan.FromMinutes(2)),
            Entry(3, "b", 10, at: TimeSpan.FromMinutes(2)),
            Entry(4, "a", 10, at: TimeSpan.FromHours(2)),
        ]);

        Assert.Equal(
            [
                new SeriesPoint("2026-03-01T10", "a", 2, 0.002m), new SeriesPoint("2026-03-01T10", "b", 1, 0.001m),
                new SeriesPoint("2026-03-01T12", "a", 1, 0.001m),
            ],
            Query.Series("model", BucketWidth.Hour, T0, null));
        Assert.Equal(
            [new SeriesPoint("2026-03-01T10:01", "key_b", 1, 0.001m), new SeriesPoint("2026-03-01T10:02", "key_b", 1, 0.001m),
             new SeriesPoint("2026-03-01T10:02", "master", 1, 0.001m)],
            Query.Series("key", BucketWidth.Minute, T0, T0.AddHours(1)));
    }

    [Fact]
    public void A_range_lists_every_bucket_from_its_start_to_now_so_empty_ones_show_as_zero()
    {
        var day = DashboardRange.Parse("24h");
        var buckets = day.Buckets(T0.AddHours(-24).AddMinutes(30), T0.AddMinutes(30));
        Assert.Equal(25, buckets.Count);
        Assert.Equal("2026-02-28T10", buckets[0]);
        Assert.Equal("2026-03-01T10", buckets[^1]);
        Assert.Equal("10h", day.AxisLabel(buckets[^1]));

        var hour = DashboardRange.Parse("1h");
        Assert.Equal(61, hour.Buckets(T0.AddHours(-1), T0).Count);
        Assert.Equal("09:00", hour.AxisLabel(hour.Buckets(T0.AddHours(-1), T0)[0]));
        Assert.Equal("24h", DashboardRange.Parse("nonsense").Name);
        Assert.Equal(["2026-02-22", "2026-02-23", "2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28", "2026-03-01"],
            DashboardRange.Parse("7d").Buckets(T0.AddDays(-7), T0));
    }
}

public sealed class SqliteRequestLogStatsTests : RequestLogStatsTests
{
    protected override Task<FreshStorage> CreateStorageAsync() => Task.FromResult(FreshStorage.Sqlite());
}

public sealed class PostgresRequestLogStatsTests(PostgresFixture postgres) : RequestLogStatsTests, IClassFixture<PostgresFixture>
{
    protected override Task<FreshStorage> CreateStorageAsync() => FreshStorage.PostgresAsync(postgres);
}
