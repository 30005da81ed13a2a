using Microsoft.Data.Sqlite;
using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Host.Metrics;
using Router.Host.RequestLog;
using Router.Host.Storage;
using Router.Host.Tests.Caching;
using Router.Host.Tests.RequestLog;

namespace Router.Host.Tests.Metrics;

public sealed class RequestLogGaugeTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("router-gauge-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task The_dropped_rows_counter_counts_what_a_full_log_could_not_take()
    {
        using var storage = new SqliteStorage(_dataDir);
        var writer = new RequestLogWriter(storage, new RequestLogSettings(TimeSpan.FromDays(30), TimeSpan.FromHours(1)),
            Path.Combine(_dataDir, RequestLogOutbox.FileName), TimeProvider.System, new ListLogger<RequestLogWriter>(), capacity: 1);
        var routes = RouteTable.Build([], new HashSet<string>());
        var metrics = new RouterMetrics(() => routes, new DeploymentBoard(), requestLog: () => writer);
        Assert.Equal(0, (await Scrape.OfAsync(metrics))["router_request_log_dropped_total"]);

        // Never started: the first row fills the channel, the next two find no room.
        for (var i = 0; i < 3; i++) writer.TryWrite(new RequestLogEntry { Time = DateTimeOffset.UtcNow, RequestId = $"r{i}", Status = 200 });

        Assert.Equal(2, (await Scrape.OfAsync(metrics))["router_request_log_dropped_total"]);
    }

    [Fact]
    public async Task The_outbox_rows_gauge_counts_what_waits_for_the_database_until_it_has_taken_it()
    {
        var ct = TestContext.Current.CancellationToken;
        // Not prepared: without its tables the database refuses every batch, as one that is down would.
        using var storage = new SqliteStorage(_dataDir);
        var writer = new RequestLogWriter(storage, new RequestLogSettings(TimeSpan.FromDays(30), TimeSpan.FromMilliseconds(50)),
            Path.Combine(_dataDir, RequestLogOutbox.FileName), TimeProvider.System, new ListLogger<RequestLogWriter>());
        var routes = RouteTable.Build([], new HashSet<string>());
        var metrics = new RouterMetrics(() => routes, new DeploymentBoard(), requestLog: () => writer);
        await writer.StartAsync(ct);
        Assert.Equal(0, (await Scrape.OfAsync(metrics))["router_request_log_outbox_rows"]);

        writer.TryWrite(new RequestLogEntry { Time = DateTimeOffset.UtcNow, RequestId = "a", Status = 200 });
        writer.TryWrite(new RequestLogEntry
        {
            Time = DateTimeOffset.UtcNow, RequestId = "b", Status = 200, Attempts = [new AttemptLogEntry(1, "p", "p/m", 200, 200, 5, null, "final")],
        });
        await Eventually.True(() => writer.OutboxRows == 3, "the rows in the outbox");
        Assert.Equal(3, (await Scrape.OfAsync(metrics))["router_request_log_outbox_rows"]);

        storage.Prepare();
        await Eventually.True(() => writer.OutboxRows == 0, "the outbox to drain");
        Assert.Equal(0, (await Scrape.OfAsync(metrics))["router_request_log_outbox_rows"]);
        await writer.StopAsync(ct);
    }
}
