using System.Globalization;
using Router.Contracts.Configuration;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// Keeps the rollups off the request path: deletes minute (and, when set, hour) totals past their retention, a
/// whole hour (day) of buckets per statement, once an hour; and, on a router upgraded from before rollups, adds
/// the rows already logged to them once (<see cref="RollupBackfill"/>). Starts before the request log's writer, so
/// the writer knows which rows the backfill will count.
/// </summary>
public sealed class RollupMaintenance(
    RouterStorage storage, RollupSettings settings, RollupWriter rollups, Func<long> outboxRows, TimeProvider clock, ILogger<RollupMaintenance> logger)
    : IHostedService
{
    private static readonly TimeSpan RetentionEvery = TimeSpan.FromHours(1);
    // Between slices, so that the request log's writer (and SQLite's one writer lock) gets its turn.
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(20);
    private readonly CancellationTokenSource _stop = new();
    private RollupBackfill? _backfill;
    private Task? _loop;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _backfill = new RollupBackfill(storage, rollups, logger);
        try
        {
            _backfill.Claim();
        }
        catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
        {
            logger.LogError(e, "Could not tell whether the request log's rollups need a backfill; trying again later");
        }
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var nextRetention = clock.GetUtcNow();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!_backfill!.Claimed) _backfill.Claim();
                // Rows kept in the outbox go in (skipped by the writer, as old as they are) before the backfill reads their hour.
                if (_backfill.Pending && outboxRows() == 0)
                {
                    _backfill.Slice();
                    await Task.Delay(Pause, clock, ct);
                    continue;
                }
                if (clock.GetUtcNow() >= nextRetention)
                {
                    nextRetention = clock.GetUtcNow() + RetentionEvery;
                    await DeleteOlderAsync(RollupTier.Minute, RollupTier.Hour, settings.MinuteRetention, ct);
                    if (settings.HourRetention > TimeSpan.Zero) await DeleteOlderAsync(RollupTier.Hour, RollupTier.Day, settings.HourRetention, ct);
                }
                await Task.Delay(_backfill.Pending ? TimeSpan.FromSeconds(1) : TimeSpan.FromMinutes(1), clock, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
            {
                logger.LogWarning("The request log's rollups could not be maintained yet: {Reason}", e.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), clock, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Deletes buckets of <paramref name="tier"/> before its horizon, one <paramref name="window"/> of them per transaction, from
    /// every table of the tier at once: reads take the oldest bucket left in any of them as the start of whole windows.
    /// </summary>
    private async Task DeleteOlderAsync(RollupTier tier, RollupTier window, TimeSpan retention, CancellationToken ct)
    {
        var tables = Enum.GetValues<RollupGrouping>().Select(g => new RollupTable(tier, g).Name).ToList();
        var horizon = RequestLogWriter.FormatTime(RollupTiers.Floor(window, (clock.GetUtcNow() - retention).UtcDateTime));
        long deleted = 0;
        while (!ct.IsCancellationRequested)
        {
            using (var connection = storage.OpenLogConnection())
            using (var transaction = connection.BeginTransaction())
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "SELECT MIN(b) FROM (" + string.Join(" UNION ALL ", tables.Select(t => $"SELECT MIN(bucket) AS b FROM {t} WHERE bucket < @horizon")) + ") oldest";
                command.AddParameter("@horizon", horizon);
                if (command.ExecuteScalar() is not string oldest) break;
                var start = RollupTiers.Floor(window, DateTime.Parse(oldest, null, DateTimeStyles.AdjustToUniversal));
                command.AddParameter("@start", RequestLogWriter.FormatTime(start));
                command.AddParameter("@end", RequestLogWriter.FormatTime(RollupTiers.Next(window, start)));
                foreach (var table in tables)
                {
                    command.CommandText = $"DELETE FROM {table} WHERE bucket >= @start AND bucket < @end AND bucket < @horizon";
                    deleted += command.ExecuteNonQuery();
                }
                transaction.Commit();
            }
            await Task.Delay(Pause, clock, ct);
        }
        if (deleted > 0) logger.LogInformation("Deleted {Count} {Tier} rollup rows older than {Retention}", deleted, tier, retention);
    }
}
