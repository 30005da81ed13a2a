using Router.Host.Storage;

namespace Router.Host.Auth;

/// <summary>
/// Fills the <see cref="KeyDirectory"/>'s index at start, then reads the whole table again every
/// <see cref="Interval"/>: what the other node of a pair made, rehashed or removed reaches this node within it
/// (its own changes reach it at once). While the database does not answer, the index stays as it is and serves.
/// </summary>
public sealed class KeyDirectoryRefresh(KeyDirectory directory, TimeProvider clock, ILogger<KeyDirectoryRefresh> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (directory.Load()) logger.LogInformation("Key directory holds {Count} keys", directory.IndexedKeys);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        var failing = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    directory.Refresh();
                    if (failing) logger.LogInformation("Key directory refreshed again: {Count} keys", directory.IndexedKeys);
                    failing = false;
                }
                catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
                {
                    // Once per outage: every 5 s for minutes would bury the rest of the log.
                    if (!failing)
                        logger.LogWarning("Key directory not refreshed, the database did not answer ({Reason}): serving the {Count} keys it holds",
                            e.Message, directory.IndexedKeys);
                    failing = true;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }
}
