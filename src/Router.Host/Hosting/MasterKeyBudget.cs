using Akka.Actor;
using Akka.Hosting;
using Router.Actors.KeyBudgets;
using Router.Actors.Sharding;
using Router.Contracts.Messages;
using Router.Host.Auth;

namespace Router.Host.Hosting;

/// <summary>
/// Key budget actors over the process's life: the master key provisioned with every model before
/// traffic arrives, and every running key's settled usage flushed to the journal after the last
/// request on a graceful stop. Hosted services stop in reverse order, so this runs after Kestrel has
/// drained and before Akka stops.
/// </summary>
public sealed class MasterKeyBudget(IRequiredActor<KeyBudgetActor> keyBudgets, KeyAuthenticator authenticator, ILogger<MasterKeyBudget> logger)
    : IHostedService
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var budgets = await keyBudgets.GetAsync(cancellationToken);
        await budgets.Ask<KeyBudget.Provisioned>(new KeyBudget.Provision(KeyAuthenticator.MasterKeyId, authenticator.MasterPolicy), Timeout,
            cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            var budgets = await keyBudgets.GetAsync(cancellationToken);
            var running = await budgets.Ask<LocalEntityRegionActor.Entities>(LocalEntityRegionActor.GetEntities.Instance, Timeout, cancellationToken);
            await Task.WhenAll(running.Ids.Select(keyId => budgets.Ask<KeyBudget.Flushed>(new KeyBudget.Flush(keyId), Timeout, cancellationToken)));
        }
        catch (Exception e) when (e is AskTimeoutException or OperationCanceledException)
        {
            logger.LogWarning("Could not flush every key's usage to the journal before stopping: {Reason}", e.Message);
        }
    }
}
