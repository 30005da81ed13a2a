using Microsoft.Extensions.Logging.Abstractions;
using Router.Contracts.Configuration;
using Router.Host.Alerts;

namespace Router.Host.Tests.Alerts;

/// <summary>The history written by its writer to a real SQLite file and read back as a restarted node reads it.</summary>
public sealed class AlertHistoryStoreTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _dir = Directory.CreateTempSubdirectory("alert-history-").FullName;

    private AlertHistoryStore Store => new(Path.Combine(_dir, AlertHistoryStore.FileName));

    private static readonly AlertTarget[] Targets =
    [
        new("hook", AlertFormat.Generic, new Uri("http://127.0.0.1:9/hook"), null, new HashSet<string>()),
        new("chat", AlertFormat.Discord, new Uri("http://127.0.0.1:9/chat"), null, new HashSet<string>()),
    ];

    private static AlertEvent Alert(string name) => new(name, AlertSeverity.Warning, "storage", name + " happened",
        new Dictionary<string, string> { ["waiting"] = "7" }, "node-a", new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task What_the_writer_kept_is_read_back_newest_first_with_each_delivery_and_bounded()
    {
        var history = new AlertHistory(2, Store.Load(2));
        var writer = new AlertHistoryWriter(history, Store, NullLogger<AlertHistoryWriter>.Instance);
        await writer.StartAsync(Ct);
        foreach (var name in new[] { "first", "second", "third" }) history.Add(Alert(name), Targets);
        history.Update(3, new DeliveryView("hook", "generic", DeliveryStatus.Sent, 1, null, DateTimeOffset.UnixEpoch));
        history.Update(3, new DeliveryView("chat", "discord", DeliveryStatus.Failed, 4, "HTTP 401", DateTimeOffset.UnixEpoch));
        await writer.StopAsync(Ct);

        var kept = Store.Load(10);
        Assert.Equal([3L, 2L], kept.Select(k => k.Id));
        Assert.Equal(("third", AlertSeverity.Warning, "7", "node-a"), (kept[0].Alert.Event, kept[0].Alert.Severity, kept[0].Alert.Details["waiting"], kept[0].Alert.Node));
        Assert.Equal([DeliveryStatus.Sent, DeliveryStatus.Failed], kept[0].Deliveries.Select(d => d.Status));
        Assert.Equal(("HTTP 401", 4), (kept[0].Deliveries[1].Error, kept[0].Deliveries[1].Attempts));
        Assert.All(kept[1].Deliveries, d => Assert.Equal(DeliveryStatus.Pending, d.Status));

        // A restarted node lists them, and numbers its next alert after them.
        var restarted = new AlertHistory(2, Store.Load(2));
        Assert.Equal([3L, 2L], restarted.Last(10).Select(a => a.Id));
        Assert.Equal(4, restarted.Add(Alert("fourth"), Targets));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
