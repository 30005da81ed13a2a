using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;
using Router.Contracts.Configuration;
using Router.Host.RequestLog;
using Router.Host.Storage;
using Router.Host.Tests.Caching;
using Router.Host.Tests.Storage;

namespace Router.Host.Tests.RequestLog;

/// <summary>
/// PostgreSQL stopped under a writing request log: the rows go to the node's outbox, and reach the database
/// once it is back, in order and once each. A class of its own: it stops its PostgreSQL.
/// </summary>
public sealed class RequestLogDuringPostgresOutageTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("router-outbox-").FullName;
    private PostgresStorage _storage = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        // A test before stopped it: the fixture's pooled connections lead to the server that went.
        await postgres.Server.StartAsync();
        NpgsqlConnection.ClearAllPools();
        _storage = new PostgresStorage(await postgres.NewDatabaseAsync());
        _storage.Prepare();
    }

    public async ValueTask DisposeAsync()
    {
        _storage.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
        await postgres.Server.StartAsync();
    }

    /// <summary>
    /// Stops PostgreSQL as a crash would, after a checkpoint: the test server commits without waiting for its
    /// log to reach the disk, so a crash would otherwise take the last commits (the tables, the rows before) with it.
    /// </summary>
    private async Task StopPostgresAsync()
    {
        await using (var connection = _storage.OpenConnection())
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "CHECKPOINT";
            await command.ExecuteNonQueryAsync(Ct);
        }
        await postgres.Server.StopAsync();
    }

    private RequestLogWriter Writer(ListLogger<RequestLogWriter> logger) =>
        new(_storage, new RequestLogSettings(TimeSpan.FromDays(3650), TimeSpan.FromMilliseconds(100)),
            Path.Combine(_dataDir, RequestLogOutbox.FileName), TimeProvider.System, logger);

    private static RequestLogEntry Entry(int n) => new()
    {
        Time = T0.AddSeconds(n),
        RequestId = $"r{n:000}",
        KeyId = "key_a",
        Status = 200,
        Cost = 0.0000125m,
        LatencyMs = 12.5,
        Attempts = [new AttemptLogEntry(1, "p", "p/m", 200, 200, 5, null, "final")],
    };

    private static IEnumerable<string> Ids(int from, int count) => Enumerable.Range(from, count).Select(n => $"r{n:000}");

    /// <summary>The request ids in the order they were committed (transaction id), and in a transaction as inserted.</summary>
    private List<string> IdsInCommitOrder()
    {
        using var connection = _storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT request_id FROM requests ORDER BY xmin::text::bigint, ctid";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read()) ids.Add(reader.GetString(0));
        return ids;
    }

    private long Count(string table)
    {
        using var connection = _storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task Rows_written_while_postgres_is_down_wait_in_the_outbox_and_reach_it_in_order_once_it_is_back()
    {
        var log = new ListLogger<RequestLogWriter>();
        var writer = Writer(log);
        await writer.StartAsync(Ct);
        for (var n = 0; n < 20; n++) Assert.True(writer.TryWrite(Entry(n)));
        await Eventually.True(() => writer.Batches > 0 && Count("requests") == 20, "the rows before the outage");

        await StopPostgresAsync();
        for (var n = 20; n < 60; n++)
        {
            Assert.True(writer.TryWrite(Entry(n)));
            if (n % 10 == 0) await Task.Delay(150, Ct); // several batches, each kept as it was made
        }
        await Eventually.True(() => writer.OutboxRows == 80, "40 requests and their attempts in the outbox");
        await Task.Delay(TimeSpan.FromSeconds(2.5), Ct); // drains tried and failed meanwhile
        Assert.Equal(80, writer.OutboxRows);
        Assert.Single(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("kept in", StringComparison.Ordinal));

        await postgres.Server.StartAsync();
        for (var n = 60; n < 80; n++) Assert.True(writer.TryWrite(Entry(n))); // behind the outbox, if it has not drained yet
        await Eventually.True(() => writer.OutboxRows == 0 && Count("requests") == 80, "the outbox to drain", TimeSpan.FromSeconds(30));
        await writer.StopAsync(Ct);

        Assert.Equal(Ids(0, 80), IdsInCommitOrder());
        Assert.Equal(80, Count("request_attempts"));
        Assert.Single(log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("drained", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains(postgres.Server.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task What_a_writer_stopped_during_the_outage_kept_is_written_by_the_next_one_once_postgres_is_back()
    {
        await StopPostgresAsync();
        var first = Writer(new ListLogger<RequestLogWriter>());
        await first.StartAsync(Ct);
        for (var n = 0; n < 10; n++) Assert.True(first.TryWrite(Entry(n)));
        await first.StopAsync(Ct);
        Assert.Equal(20, first.OutboxRows);
        Assert.Equal(0, first.Dropped);

        await postgres.Server.StartAsync();
        var log = new ListLogger<RequestLogWriter>();
        var second = Writer(log);
        await second.StartAsync(Ct);
        Assert.Equal(20, second.OutboxRows);
        await Eventually.True(() => second.OutboxRows == 0, "the outbox to drain", TimeSpan.FromSeconds(30));
        await second.StopAsync(Ct);

        Assert.Equal(Ids(0, 10), IdsInCommitOrder());
        Assert.Equal(10, Count("request_attempts"));
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("from before the last stop", StringComparison.Ordinal));
    }
}
