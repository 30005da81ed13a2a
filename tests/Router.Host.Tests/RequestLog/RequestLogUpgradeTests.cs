using System.Text.RegularExpressions;
using Router.Host.RequestLog;
using Router.Host.Storage;
using Router.Host.Tests.Storage;

namespace Router.Host.Tests.RequestLog;

/// <summary>
/// A request log written by an earlier version, without the columns, tables and indexes changed since, gets them when the
/// router starts: its old rows read with the columns' defaults and are found by every filter, and new rows keep what they say.
/// </summary>
public abstract class RequestLogUpgradeTests : StorageTests
{
    private void Execute(string sql)
    {
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void A_log_from_before_the_added_columns_gets_them_and_keeps_its_rows()
    {
        // As the first release made it: the table without the added columns, with one row.
        var current = StorageSchema.RequestLog("REAL", "TEXT").Split("CREATE INDEX")[0];
        var first = current;
        foreach (var (name, definition) in StorageSchema.AddedRequestColumns)
        {
            var without = Regex.Replace(first, $@",\s*{name}\s+{Regex.Escape(definition)}", "");
            Assert.NotEqual(first, without);
            first = without;
        }
        Execute("DROP TABLE requests");
        Execute(first);
        Execute("""
            INSERT INTO requests (time, request_id, status, prompt_tokens, completion_tokens, cached_tokens, cost, cache_hit, saved_cost,
                                  latency_ms, overhead_ms, attempts)
            VALUES ('2026-03-01T12:00:00.000Z', 'old', 200, 10, 5, 0, 0.5, 0, 0, 12, 1, 0)
            """);

        Storage.Prepare();
        Storage.Prepare(); // and again, as every later start does
        Assert.True(RequestLogReplay.WriteOnce(Storage, [new RequestLogEntry
        {
            Time = new DateTimeOffset(2026, 3, 1, 12, 0, 1, TimeSpan.Zero), RequestId = "new", Status = 499, Estimated = true,
            Metadata = """{"a":1}""", Tags = ["t"], Mocked = true,
        }]));

        var rows = new RequestLogQuery(Storage).Page(new RequestLogFilter(), 1, 10).Rows;
        Assert.Equal([("new", true, "t", true, true), ("old", false, "", false, false)],
            rows.Select(r => (r.RequestId, r.Estimated, string.Join(",", r.Tags), r.Metadata is not null, r.Mocked)));
        Assert.Equal("new", Assert.Single(new RequestLogQuery(Storage).Page(new RequestLogFilter(Tags: ["t"]), 1, 10).Rows).RequestId);
    }

    [Fact]
    public void A_log_from_before_the_keys_names_finds_its_keys_by_alias_and_prefix_and_drops_the_indexes_it_no_longer_needs()
    {
        // As the version before made it: an index for the alias and a full one for the status, and no names of keys kept.
        Execute("""
            CREATE INDEX requests_key_alias_time ON requests (key_alias, time);
            CREATE INDEX requests_status_time ON requests (status, time);
            DELETE FROM request_log_keys;
            DELETE FROM request_rollup_state WHERE name = 'key_names';
            INSERT INTO requests (time, request_id, key_id, key_prefix, key_alias, status, prompt_tokens, completion_tokens,
                                  cached_tokens, cost, cache_hit, saved_cost, latency_ms, overhead_ms, attempts)
            VALUES ('2026-03-01T12:00:00.000Z', 'old', 'key_1', 'sk-…1234', 'team', 200, 10, 5, 0, 0.5, 0, 0, 12, 1, 0)
            """);

        Storage.Prepare();

        var query = new RequestLogQuery(Storage);
        foreach (var name in new[] { "team", "sk-…1234", "key_1" })
            Assert.Equal("old", Assert.Single(query.Page(new RequestLogFilter(Key: name), 1, 10).Rows).RequestId);
        var indexes = RequestIndexes();
        Assert.DoesNotContain("requests_key_alias_time", indexes);
        Assert.DoesNotContain("requests_status_time", indexes);
        Assert.Contains("requests_failed_status_time", indexes);
    }

    /// <summary>The SQL that lists the names of <c>requests</c>' indexes.</summary>
    protected abstract string RequestIndexesSql { get; }

    private List<string> RequestIndexes()
    {
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = RequestIndexesSql;
        var names = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }
}

public sealed class SqliteRequestLogUpgradeTests : RequestLogUpgradeTests
{
    protected override Task<FreshStorage> CreateStorageAsync() => Task.FromResult(FreshStorage.Sqlite());

    protected override string RequestIndexesSql => "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests'";
}

public sealed class PostgresRequestLogUpgradeTests(PostgresFixture postgres) : RequestLogUpgradeTests, IClassFixture<PostgresFixture>
{
    protected override Task<FreshStorage> CreateStorageAsync() => FreshStorage.PostgresAsync(postgres);

    protected override string RequestIndexesSql => "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'requests'";
}
