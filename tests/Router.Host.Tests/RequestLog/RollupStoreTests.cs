using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.RequestLog;
using Router.Host.Storage;
using Router.Host.Tests.Caching;
using Router.Host.Tests.Storage;

namespace Router.Host.Tests.RequestLog;

/// <summary>
/// The rollups against the rows they count, in SQLite and PostgreSQL (subclasses below): what the writer adds, what
/// a replayed batch does not add again, what the backfill adds for rows logged before rollups, and what retention
/// deletes; every report compared with sums over the written entries.
/// </summary>
public abstract class RollupStoreTests : StorageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 21, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RequestLogQuery Query => new(Storage);

    /// <summary>Varied entries over three days: models, providers, keys, statuses, cache hits, streamed or not.</summary>
    private static List<RequestLogEntry> Entries(int count, int seed, DateTimeOffset start)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var hit = random.Next(10) == 0;
            var status = random.Next(12) switch { 0 => 502, 1 => 429, _ => 200 };
            return new RequestLogEntry
            {
                Time = start + TimeSpan.FromSeconds(random.Next(3 * 24 * 3600)) + TimeSpan.FromMilliseconds(random.Next(1000)),
                RequestId = $"r{seed}-{i}",
                KeyId = random.Next(4) == 0 ? null : $"key_{random.Next(5)}",
                RequestedModel = $"model-{random.Next(4)}",
                Provider = hit ? null : $"provider-{random.Next(3)}",
                Status = status,
                ErrorOrigin = status == 200 ? null : status == 429 ? "router" : "provider",
                PromptTokens = random.Next(5000),
                CompletionTokens = random.Next(2000),
                Cost = hit || status != 200 ? 0 : Math.Round((decimal)random.NextDouble() / 100, 9),
                CacheHit = hit,
                SavedCost = hit ? 0.0021m : 0,
                LatencyMs = 1 + random.NextDouble() * 3000,
                TtftMs = random.Next(2) == 0 ? random.NextDouble() * 500 : null,
                OverheadMs = random.NextDouble(),
            };
        }).ToList();
    }

    private async Task WriteAsync(IEnumerable<RequestLogEntry> entries, RollupWriter? rollups = null)
    {
        var writer = new RequestLogWriter(Storage, new RequestLogSettings(TimeSpan.FromDays(3650), TimeSpan.FromHours(1)),
            Path.Combine(DataDir, RequestLogOutbox.FileName), TimeProvider.System, new ListLogger<RequestLogWriter>())
        {
            Rollups = rollups ?? new RollupWriter("local"),
        };
        await writer.StartAsync(Ct);
        foreach (var entry in entries) Assert.True(writer.TryWrite(entry));
        await writer.StopAsync(Ct);
    }

    private static readonly Dictionary<string, Func<RequestLogEntry, string?>> Groups = new()
    {
        ["model"] = e => e.RequestedModel,
        ["provider"] = e => e.Provider,
        ["key"] = e => e.KeyId,
        ["day"] = e => e.Time.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Every grouping's report over <paramref name="from"/>–<paramref name="to"/> equals the sums over the entries in those whole minutes.</summary>
    private void AssertReportsMatch(IReadOnlyList<RequestLogEntry> entries, DateTimeOffset? from, DateTimeOffset? to)
    {
        var lo = from is { } f ? RollupTiers.Floor(RollupTier.Minute, f.UtcDateTime) : DateTime.MinValue;
        var hi = to is { } t ? RollupTiers.Ceiling(RollupTier.Minute, t.UtcDateTime) : DateTime.MaxValue;
        var inRange = entries.Where(e => e.Time.UtcDateTime >= lo && e.Time.UtcDateTime < hi).ToList();
        Assert.NotEmpty(inRange);
        foreach (var (groupBy, group) in Groups)
        {
            var expected = inRange.GroupBy(group).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            var report = Query.Report(groupBy, from, to);
            Assert.Equal(expected.Select(g => g.Key).Order(StringComparer.Ordinal), report.Select(r => r.Group).Order(StringComparer.Ordinal));
            foreach (var g in expected)
            {
                var row = report.Single(r => r.Group == g.Key);
                Assert.Equal(g.Count(), row.Requests);
                Assert.Equal(g.Sum(e => (long)e.PromptTokens), row.PromptTokens);
                Assert.Equal(g.Sum(e => (long)e.CompletionTokens), row.CompletionTokens);
                Assert.Equal(g.Sum(e => e.Cost), row.Cost, 9);
                Assert.Equal(g.Sum(e => e.SavedCost), row.SavedCost, 9);
                Assert.Equal(g.Count(e => e.Status >= 400), row.Errors);
                Assert.Equal(g.Count(e => e.CacheHit), row.CacheHits);
                Assert.Equal(Median(g), row.P50LatencyMs);
            }
            // The overview's one read of the range gives the same tables, less the medians (costs summed in another order).
            static SpendReportRow ToNanoDollar(SpendReportRow r) =>
                r with { Cost = Math.Round(r.Cost, 9), SavedCost = Math.Round(r.SavedCost, 9), P50LatencyMs = null };
            if (groupBy != "day")
                Assert.Equal(report.Select(ToNanoDollar).OrderBy(r => r.Group, StringComparer.Ordinal),
                    Query.Summary(from, to).Report(groupBy).Select(ToNanoDollar));
        }
        Assert.Equal(Query.Percentiles("model", from, to), Query.Summary(from, to).PercentilesByModel);
        var totals = Query.Totals(from, to);
        Assert.Equal(inRange.Count, totals.Requests);
        Assert.Equal(inRange.Sum(e => e.Cost), totals.Cost, 9);
        Assert.Equal(inRange.Count(e => e.ErrorOrigin == "router"), totals.RouterErrors);
        Assert.Equal(inRange.Count(e => e.ErrorOrigin == "provider"), totals.ProviderErrors);
    }

    /// <summary>The median as the rollups give it: the bound of the bucket the middle rank falls in.</summary>
    private static double? Median(IEnumerable<RequestLogEntry> entries)
    {
        var counts = new long[LatencyHistogram.Buckets];
        foreach (var e in entries) counts[LatencyHistogram.Index(e.LatencyMs)]++;
        return LatencyHistogram.Percentile(counts, 50);
    }

    private static readonly (DateTimeOffset? From, DateTimeOffset? To)[] Ranges =
    [
        (null, null),
        (T0.AddMinutes(95).AddSeconds(30), T0.AddDays(2).AddHours(5).AddMinutes(17)), // days, hours and minutes
        (T0.AddHours(30).AddMinutes(2), T0.AddHours(30).AddMinutes(50)), // minutes only
        (T0.AddHours(3), null),
    ];

    [Fact]
    public async Task Reports_from_rollups_equal_the_sums_over_the_rows_for_every_grouping_and_range()
    {
        var entries = Entries(1500, seed: 1, T0);
        await WriteAsync(entries);
        foreach (var (from, to) in Ranges) AssertReportsMatch(entries, from, to);
    }

    [Fact]
    public async Task A_batch_replayed_from_the_outbox_is_counted_once()
    {
        var batch = Entries(20, seed: 2, T0);
        var rollups = new RollupWriter("local");
        Assert.True(RequestLogReplay.WriteOnce(Storage, batch, rollups));
        Assert.False(RequestLogReplay.WriteOnce(Storage, batch, rollups)); // its commit's acknowledgement was lost: already there
        Assert.Equal(20, Query.Totals(null, null).Requests);
        AssertReportsMatch(batch, null, null);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Two_nodes_writing_to_one_database_add_to_rows_of_their_own_and_the_totals_count_both()
    {
        var first = Entries(300, seed: 3, T0);
        var second = Entries(300, seed: 4, T0);
        await Task.WhenAll(WriteAsync(first, new RollupWriter("node-a:4053")), WriteAsync(second, new RollupWriter("node-b:4053")));
        AssertReportsMatch([.. first, .. second], null, null);
        Assert.Equal(600, Query.Totals(null, null).Requests);
    }

    [Fact]
    public async Task Rows_logged_before_rollups_are_added_once_by_the_backfill_and_later_rows_by_the_writer()
    {
        var old = Entries(800, seed: 5, T0);
        await WriteAsync(old);
        Execute(string.Concat(RollupTiers.Split.SelectMany(t => Enum.GetValues<RollupGrouping>()
                .Where(g => g != RollupGrouping.Combined || t != RollupTier.Month).Select(g => $"DELETE FROM {new RollupTable(t, g).Name}; ")))
            + "DELETE FROM request_rollup_state");

        var rollups = new RollupWriter("local");
        var backfill = new RollupBackfill(Storage, rollups, new ListLogger<RollupMaintenance>());
        backfill.Claim();
        Assert.True(backfill.Pending);
        Assert.Equal(RequestLogWriter.FormatTime(old.Max(e => e.Time)), rollups.BackfillCutoff);
        // A row logged meanwhile with an older time (from an outbox) is left to the backfill; a new one is the writer's.
        var late = Entries(1, seed: 6, T0)[0] with { RequestId = "late", Time = T0.AddHours(1) };
        var fresh = Entries(1, seed: 7, T0)[0] with { RequestId = "fresh", Time = T0.AddDays(4) };
        await WriteAsync([late, fresh], rollups);
        var slices = 0;
        while (backfill.Pending && slices++ < 1000) backfill.Slice();
        Assert.False(backfill.Pending);
        Assert.Null(rollups.BackfillCutoff);

        AssertReportsMatch([.. old, late, fresh], null, null);
        AssertReportsMatch([.. old, late, fresh], Ranges[1].From, Ranges[1].To);
        // Claimed once per database: a restart finds it done.
        var again = new RollupBackfill(Storage, new RollupWriter("local"), new ListLogger<RollupMaintenance>());
        again.Claim();
        Assert.False(again.Pending);
    }

    [Fact]
    public async Task Rollup_tables_of_a_column_per_bucket_are_rewritten_with_text_histograms_and_read_the_same()
    {
        var entries = Entries(600, seed: 8, T0);
        CountInCombinedTablesUpTo("9000-01-01T00:00:00.000Z"); // as they were written then
        await WriteAsync(entries);
        var percentiles = Query.Percentiles("model", null, null);
        foreach (var tier in RollupTiers.All) RewriteWithColumnPerBucket(new RollupTable(tier, RollupGrouping.Combined).Name);

        Storage.Prepare();

        Assert.Equal(percentiles, Query.Percentiles("model", null, null));
        AssertReportsMatch(entries, null, null);
        AssertReportsMatch(entries, Ranges[1].From, Ranges[1].To);
        await WriteAsync(Entries(50, seed: 9, T0)); // and the writer adds to the rewritten rows
        AssertReportsMatch([.. entries, .. Entries(50, seed: 9, T0)], null, null);
    }

    /// <summary>Puts a rollup table back in its first shape, <c>lat_0</c> … <c>ovh_63</c>, with the same rows.</summary>
    private void RewriteWithColumnPerBucket(string table)
    {
        string[] copied = [.. new RollupTable(RollupTier.Day, RollupGrouping.Combined).KeyColumns, .. RollupTiers.SumColumns];
        var rows = new List<object[]>();
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", [.. copied, .. RollupTiers.Histograms])} FROM {table}";
        using (var r = command.ExecuteReader())
            while (r.Read())
            {
                var row = Enumerable.Range(0, copied.Length).Select(r.GetValue).ToList();
                foreach (var m in Enumerable.Range(0, RollupTiers.Histograms.Length))
                {
                    var counts = new long[LatencyHistogram.Buckets];
                    HistogramText.AddTo(r.GetString(copied.Length + m), counts);
                    row.AddRange(counts.Cast<object>());
                }
                rows.Add([.. row]);
            }
        string[] buckets = [.. RollupTiers.Histograms.SelectMany(m => Enumerable.Range(0, LatencyHistogram.Buckets).Select(i => $"{m}_{i}"))];
        command.CommandText = $"""
            DROP TABLE {table};
            CREATE TABLE {table} (
                bucket TEXT NOT NULL, node TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, key_id TEXT NOT NULL,
                status INTEGER NOT NULL, error_origin TEXT NOT NULL, cache_hit INTEGER NOT NULL, requests INTEGER NOT NULL,
                prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, cost DOUBLE PRECISION NOT NULL,
                saved_cost DOUBLE PRECISION NOT NULL, errors INTEGER NOT NULL{string.Concat(buckets.Select(b => $", {b} INTEGER NOT NULL DEFAULT 0"))},
                PRIMARY KEY (bucket, node, model, provider, key_id, status, error_origin, cache_hit))
            """;
        command.ExecuteNonQuery();
        string[] columns = [.. copied, .. buckets];
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
        foreach (var row in rows)
        {
            command.Parameters.Clear();
            for (var i = 0; i < row.Length; i++) command.AddParameter("@p" + i, row[i]);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Makes the days up to <paramref name="lastDay"/> counted in the combined tables, as on a database from before the split.</summary>
    private void CountInCombinedTablesUpTo(string lastDay) =>
        Execute($"UPDATE request_rollup_state SET value = '{lastDay}' WHERE name IN ('split', 'months')");

    [Fact]
    public async Task Days_before_the_split_are_counted_and_read_in_the_combined_tables_and_later_days_in_those_by_model_and_key()
    {
        // Written when the combined tables counted every day, up to the end of T0's day; then split after that day.
        var splitAt = T0.UtcDateTime.Date.AddDays(1);
        var before = Entries(700, seed: 10, T0.AddDays(-2)).Where(e => e.Time.UtcDateTime < splitAt).ToList();
        Assert.Equal("", LastCombinedDay()); // a new database has nothing to read from the combined tables
        CountInCombinedTablesUpTo("9000-01-01T00:00:00.000Z");
        await WriteAsync(before);
        // The upgraded schema splits after the newest day the combined tables hold.
        Execute("DELETE FROM request_rollup_state WHERE name IN ('split', 'months')");
        Storage.Prepare();
        Assert.Equal(RollupTiers.Key(RollupTier.Day, T0), LastCombinedDay());
        Assert.Equal(RollupTiers.Key(RollupTier.Day, T0), Scalar("SELECT value FROM request_rollup_state WHERE name = 'months'"));
        var after = Entries(700, seed: 11, T0); // T0's last three hours still go to the combined tables

        await WriteAsync(after);

        List<RequestLogEntry> all = [.. before, .. after];
        Assert.Equal(0, Count($"request_rollups_minute WHERE bucket >= '{RequestLogWriter.FormatTime(splitAt)}'"));
        Assert.Equal(all.Count(e => e.Time.UtcDateTime < splitAt), Sum("request_rollups_minute"));
        foreach (var grouping in new[] { "by_model", "by_key" })
        foreach (var tier in new[] { "minute", "hour", "day", "month" })
            Assert.Equal(all.Count(e => e.Time.UtcDateTime >= splitAt), Sum($"request_rollups_{tier}_{grouping}"));
        foreach (var (from, to) in Ranges) AssertReportsMatch(all, from, to);
        AssertReportsMatch(all, T0.AddDays(-1).AddMinutes(7), T0.AddHours(4).AddMinutes(1));
    }

    [Fact]
    public async Task Months_are_read_from_the_month_totals_and_their_edges_from_days_hours_and_minutes()
    {
        var start = new DateTimeOffset(2026, 2, 26, 5, 0, 0, TimeSpan.Zero); // three days either side of March
        var entries = Entries(900, seed: 12, start).Concat(Entries(300, seed: 13, start.AddMonths(1))).ToList();
        await WriteAsync(entries);
        Assert.Equal(entries.Count, Sum("request_rollups_month_by_model"));
        Assert.Equal(2, Count("(SELECT DISTINCT bucket FROM request_rollups_month_by_key) months"));
        AssertReportsMatch(entries, null, null);
        AssertReportsMatch(entries, start.AddDays(1).AddMinutes(13), null);
        AssertReportsMatch(entries, null, start.AddMonths(1).AddHours(7).AddMinutes(2));
        AssertReportsMatch(entries, start.AddHours(2), start.AddMonths(1).AddDays(1));
    }

    [Fact]
    public async Task Retention_deletes_minute_totals_and_the_reports_then_read_the_hours()
    {
        var entries = Entries(600, seed: 8, T0); // months before now: past a 7-day minute retention
        await WriteAsync(entries);
        var maintenance = new RollupMaintenance(Storage, new RollupSettings(TimeSpan.FromDays(7), TimeSpan.Zero), new RollupWriter("local"),
            () => 0, TimeProvider.System, new ListLogger<RollupMaintenance>());
        await maintenance.StartAsync(Ct);
        await Eventually.True(() => Count("request_rollups_minute_by_model") + Count("request_rollups_minute_by_key") == 0, "the minute totals to be deleted",
            TimeSpan.FromSeconds(30));
        await maintenance.StopAsync(Ct);
        Assert.True(Count("request_rollups_hour_by_model") > 0 && Count("request_rollups_hour_by_key") > 0);
        // Whole hours now: a range that starts and ends on the hour is still exact.
        AssertReportsMatch(entries, null, null);
        AssertReportsMatch(entries, T0.AddHours(3), T0.AddDays(2).AddHours(5));
    }

    private void Execute(string sql)
    {
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private string LastCombinedDay()
    {
        using var connection = Storage.OpenLogConnection();
        return RollupSplit.LastCombinedDay(connection);
    }

    private long Sum(string table) => Count(table, "COALESCE(SUM(requests), 0)");

    private long Count(string table, string what = "COUNT(*)")
    {
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {what} FROM {table}";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class SqliteRollupStoreTests : RollupStoreTests
{
    protected override Task<FreshStorage> CreateStorageAsync() => Task.FromResult(FreshStorage.Sqlite());
}

public sealed class PostgresRollupStoreTests(PostgresFixture postgres) : RollupStoreTests, IClassFixture<PostgresFixture>
{
    protected override Task<FreshStorage> CreateStorageAsync() => FreshStorage.PostgresAsync(postgres);
}
