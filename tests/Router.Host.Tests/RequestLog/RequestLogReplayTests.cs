using System.Globalization;
using Router.Contracts.Configuration;
using Router.Host.RequestLog;
using Router.Host.Tests.Caching;
using Router.Host.Tests.Storage;

namespace Router.Host.Tests.RequestLog;

/// <summary>
/// Batches kept in the outbox reach the database exactly once, even when a batch is there already (its
/// commit's acknowledgement was lost), in SQLite and PostgreSQL (the subclasses below).
/// </summary>
public abstract class RequestLogReplayTests : StorageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string OutboxPath => Path.Combine(DataDir, RequestLogOutbox.FileName);

    private RequestLogWriter Writer(ListLogger<RequestLogWriter>? logger = null) =>
        new(Storage, new RequestLogSettings(TimeSpan.FromDays(3650), TimeSpan.FromHours(1)), OutboxPath, TimeProvider.System,
            logger ?? new ListLogger<RequestLogWriter>());

    private static RequestLogEntry Entry(string id, int second, int attempts = 1) => new()
    {
        Time = T0.AddSeconds(second),
        RequestId = id,
        KeyId = "key_a",
        Status = 200,
        Cost = 0.0000125m,
        LatencyMs = 12.5,
        Attempts = Enumerable.Range(1, attempts).Select(n => new AttemptLogEntry(n, "p", "p/m", 200, 200, 5, null, "final")).ToList(),
    };

    private long Count(string table)
    {
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void A_batch_already_in_the_database_is_not_inserted_again()
    {
        List<RequestLogEntry> batch = [Entry("a", 1, attempts: 2), Entry("b", 2)];

        Assert.True(RequestLogReplay.WriteOnce(Storage, batch));
        Assert.False(RequestLogReplay.WriteOnce(Storage, batch));

        Assert.Equal(2, Count("requests"));
        Assert.Equal(3, Count("request_attempts"));
    }

    [Fact]
    public void A_request_id_a_caller_sent_before_does_not_keep_a_new_request_out()
    {
        Assert.True(RequestLogReplay.WriteOnce(Storage, [Entry("same", 1)]));

        // The same x-request-id again, a second later, and twice within one batch: three more requests.
        Assert.True(RequestLogReplay.WriteOnce(Storage, [Entry("same", 2), Entry("same", 2)]));
        Assert.False(RequestLogReplay.WriteOnce(Storage, [Entry("same", 2), Entry("same", 2)]));

        Assert.Equal(3, Count("requests"));
    }

    [Fact]
    public async Task A_kept_batch_whose_commit_went_through_is_forgotten_by_the_next_writer_without_a_second_copy()
    {
        List<RequestLogEntry> written = [Entry("a", 1, attempts: 2), Entry("b", 2)];
        List<RequestLogEntry> notWritten = [Entry("c", 3)];
        // The first batch committed but its acknowledgement was lost, so it stayed in the outbox; the second did not.
        Assert.True(RequestLogReplay.WriteOnce(Storage, written));
        var outbox = RequestLogOutbox.Open(OutboxPath);
        outbox.Append(written);
        outbox.Append(notWritten);
        Assert.Equal(7, outbox.Rows);

        var writer = Writer();
        await writer.StartAsync(Ct);
        await Eventually.True(() => writer.OutboxRows == 0, "the outbox to drain");
        await writer.StopAsync(Ct);

        Assert.Equal(3, Count("requests"));
        Assert.Equal(4, Count("request_attempts"));
        Assert.Equal(0, RequestLogOutbox.Open(OutboxPath).Rows);
    }

    [Fact]
    public async Task A_batch_the_database_refuses_halfway_is_kept_whole_and_written_once_it_takes_it()
    {
        // The requests insert goes through and the attempts insert fails in the same transaction: nothing may stay half-written.
        Execute("ALTER TABLE request_attempts RENAME TO request_attempts_away");
        var writer = new RequestLogWriter(Storage, new RequestLogSettings(TimeSpan.FromDays(3650), TimeSpan.FromMilliseconds(50)), OutboxPath,
            TimeProvider.System, new ListLogger<RequestLogWriter>());
        await writer.StartAsync(Ct);
        Assert.True(writer.TryWrite(Entry("a", 1, attempts: 2)));
        Assert.True(writer.TryWrite(Entry("b", 2)));
        await Eventually.True(() => writer.OutboxRows == 5, "the refused batch in the outbox");
        Assert.Equal(0, Count("requests"));

        Execute("ALTER TABLE request_attempts_away RENAME TO request_attempts");
        await Eventually.True(() => writer.OutboxRows == 0, "the outbox to drain");
        await writer.StopAsync(Ct);

        Assert.Equal(2, Count("requests"));
        Assert.Equal(3, Count("request_attempts"));
        Assert.Equal(2L, Convert.ToInt64(Scalar("SELECT SUM(requests) FROM request_rollups_minute_by_key"), CultureInfo.InvariantCulture));
    }

    private object? Scalar(string sql)
    {
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private void Execute(string sql)
    {
        using var connection = Storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void The_outbox_gives_back_its_batches_oldest_first_as_they_were_kept()
    {
        var outbox = RequestLogOutbox.Open(OutboxPath);
        var first = Entry("a", 1, attempts: 2) with
        {
            KeyAlias = "team", UpstreamError = """{"error":"x"}""", TtftMs = 3.25, Metadata = """{"trace_id":"t"}""", Tags = ["t1", "t2"], Mocked = true,
        };
        outbox.Append([first]);
        outbox.Append([Entry("b", 2)]);

        var reopened = RequestLogOutbox.Open(OutboxPath);
        Assert.Equal(5, reopened.Rows);
        var oldest = reopened.Oldest()!;
        Assert.Equal(first with { Attempts = [], Tags = [] }, oldest.Entries.Single() with { Attempts = [], Tags = [] });
        Assert.Equal(first.Attempts, oldest.Entries.Single().Attempts);
        Assert.Equal(first.Tags, oldest.Entries.Single().Tags);
        reopened.Remove(oldest);
        Assert.Equal("b", reopened.Oldest()!.Entries.Single().RequestId);
        Assert.Equal(2, reopened.Rows);
    }
}

public sealed class SqliteRequestLogReplayTests : RequestLogReplayTests
{
    protected override Task<FreshStorage> CreateStorageAsync() => Task.FromResult(FreshStorage.Sqlite());
}

public sealed class PostgresRequestLogReplayTests(PostgresFixture postgres) : RequestLogReplayTests, IClassFixture<PostgresFixture>
{
    protected override Task<FreshStorage> CreateStorageAsync() => FreshStorage.PostgresAsync(postgres);
}
