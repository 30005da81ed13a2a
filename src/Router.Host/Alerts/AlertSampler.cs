using Akka.Actor;
using Router.Actors.Breakers;
using Router.Contracts.Configuration;
using Router.Host.Admin;
using Router.Host.Caching;
using Router.Host.Proxy;
using Router.Host.RequestLog;
using Router.Host.Storage;

namespace Router.Host.Alerts;

/// <summary>
/// Every <c>router.alerts.sample-interval</c> (5 s) reads the states alerts watch from where they live (the
/// breakers' board, the actors of the keys charged since the last sample (<see cref="BudgetSampler"/>), the database probe, Redis's health, the request-log outbox, the
/// settlement outbox, the cluster's membership) and hands what changed to the dispatcher. Polling keeps it to
/// one place and one rhythm; the request path never waits for it.
/// </summary>
public sealed class AlertSampler(
    RouterSettings settings, IServiceProvider services, AlertDispatcher dispatcher, AdminNode node, TimeProvider clock,
    ILogger<AlertSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var monitor = new AlertMonitor(settings.Alerts, node.Name, clock);
        using var timer = new PeriodicTimer(settings.Alerts.SampleInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    foreach (var alert in monitor.Observe(await SampleAsync(stoppingToken))) dispatcher.Publish(alert);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One bad sample must not end alerting; the next tick tries again.
                    logger.LogWarning("Alert sampling failed: {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<AlertSnapshot> SampleAsync(CancellationToken ct)
    {
        var board = services.GetRequiredService<DeploymentBoard>();
        var (storageUp, _) = await services.GetRequiredService<RouterStorage>().ProbeAsync(ct);
        return new AlertSnapshot
        {
            Circuits = [.. board.All.Select(s => new CircuitSample(s.DeploymentId, s.Circuit != Router.Contracts.Messages.CircuitState.Closed))],
            Budgets = await services.GetRequiredService<BudgetSampler>().SampleAsync(ct),
            StorageUp = storageUp,
            CacheUp = settings.Cache.Enabled && settings.Cache.Redis is not null
                ? services.GetRequiredService<IResponseCacheStore>().Health.State == CacheHealthState.Ok
                : null,
            RequestLogBacklog = settings.RequestLog.Enabled ? services.GetRequiredService<RequestLogWriter>().OutboxRows : 0,
            SettlementBacklog = services.GetRequiredService<SettlementOutbox>().Pending,
            Members = settings.Cluster.Enabled ? Members() : null,
        };
    }

    private List<MemberSample> Members()
    {
        var cluster = Akka.Cluster.Cluster.Get(services.GetRequiredService<ActorSystem>());
        var state = cluster.State;
        return [.. state.Members
            .Where(m => m.Address != cluster.SelfAddress)
            .Select(m => new MemberSample(m.Address.ToString(), !state.Unreachable.Contains(m)))];
    }
}
