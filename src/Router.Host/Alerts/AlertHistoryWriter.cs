namespace Router.Host.Alerts;

/// <summary>
/// Keeps <see cref="AlertHistory"/> on disk (<see cref="AlertHistoryStore"/>): whatever alerts were added or changed
/// since the last pass are written in one transaction, in the background, so neither the sampler nor a delivery
/// waits on the disk. Stopping writes what is still waiting, after the dispatcher's last updates (it is registered
/// before the dispatcher, so it stops after it).
/// </summary>
public sealed class AlertHistoryWriter(AlertHistory history, AlertHistoryStore store, ILogger<AlertHistoryWriter> logger) : BackgroundService
{
    // Alerts' deliveries change in bursts (every target of one alert within milliseconds): a short wait writes them together.
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await history.Changed.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(Gather, stoppingToken);
                WriteWaiting();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        WriteWaiting();
    }

    private void WriteWaiting()
    {
        HashSet<long> ids = [];
        while (history.Changed.TryRead(out var id)) ids.Add(id);
        if (ids.Count == 0) return;
        // One pushed out by newer alerts is not written; the trim forgets it if it was.
        List<StoredAlert> alerts = [.. ids.Select(history.Snapshot).OfType<StoredAlert>()];
        try
        {
            store.Save(alerts, history.Capacity);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            // The page still shows them from memory; only a restart would forget these.
            logger.LogWarning("The alert history could not be written to {File}: {Error}", AlertHistoryStore.FileName, e.Message);
        }
    }
}
