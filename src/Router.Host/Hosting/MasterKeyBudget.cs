using Akka.Actor;
using Akka.Hosting;
using Router.Actors.KeyBudgets;
using Router.Actors.Sharding;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Host.Auth;

namespace Router.Host.Hosting;

/// <summary>
/// Key budget actors over the process's life: the master key provisioned with every model before
/// traffic arrives, and every running key's settled usage flushed to the journal after the last
/// request on a graceful stop. Hosted services stop in reverse order, so this runs after Kestrel has
/// drained and before Akka stops.
/// </summary>
public sealed class MasterKeyBudget(
    IRequiredActor<KeyBudgetActor> keyBudgets, KeyAuthenticator authenticator, RouterSettings settings, ILogger<MasterKeyBudget> logger)
    : IHostedService
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    // A first start creates the journal's tables; on a busy 2-core box that alone can take seconds.
    private static readonly TimeSpan FirstProvisionTimeout = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var budgets = await keyBudgets.GetAsync(cancellationToken);
        var provision = new KeyBudget.Provision(KeyAuthenticator.MasterKeyId, authenticator.MasterPolicy);
        if (!settings.Cluster.Enabled)
        {
            await budgets.Ask<KeyBudget.Provisioned>(provision, FirstProvisionTimeout, cancellationToken);
            return;
        }
        // A node of the pair reaches the master key's actor once it is in the cluster, which may take a while
        // (its peer may be down): readiness waits for this, the start does not.
        _ = Task.Run(async () =>
        {
            while (!_stopping.IsCancellationRequested)
            {
                try
                {
                    if (await budgets.Ask<object>(provision, Timeout, _stopping.Token) is KeyBudget.Provisioned) return;
                    // Its journal is not answering yet (the database is down or starting): the key serves from its replica meanwhile.
                    logger.LogInformation("The master key's journal is not answering yet; retrying");
                    await Task.Delay(Timeout, _stopping.Token);
                }
                catch (Exception e) when (e is AskTimeoutException or OperationCanceledException)
                {
                    if (!_stopping.IsCancellationRequested) logger.LogInformation("The master key's budget actor is not reachable yet; retrying");
                }
            }
        });
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            var budgets = await keyBudgets.GetAsync(cancellationToken);
            // Sharded keys write their usage when their shard hands them off as the node leaves.
            if (settings.Cluster.Enabled) return;
            var running = await budgets.Ask<LocalEntityRegionActor.Entities>(LocalEntityRegionActor.GetEntities.Instance, Timeout, cancellationToken);
            await Task.WhenAll(running.Ids.Select(keyId => budgets.Ask<KeyBudget.Flushed>(new KeyBudget.Flush(keyId), Timeout, cancellationToken)));
        }
        catch (Exception e) when (e is AskTimeoutException or OperationCanceledException)
        {
            logger.LogWarning("Could not flush every key's usage to the journal before stopping: {Reason}", e.Message);
        }
    }
}
