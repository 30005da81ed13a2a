using Akka.Actor;
using Akka.Hosting;
using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using Router.Host.Auth;

namespace Router.Host.Hosting;

/// <summary>Makes sure the master key's budget actor exists with access to every model before traffic arrives.</summary>
public sealed class MasterKeyProvisioner(IRequiredActor<KeyBudgetActor> keyBudgets, ILogger<MasterKeyProvisioner> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var budgets = await keyBudgets.GetAsync(cancellationToken);
        await budgets.Ask<KeyBudget.Provisioned>(
            new KeyBudget.Provision(KeyAuthenticator.MasterKeyId, ["*"]), TimeSpan.FromSeconds(30), cancellationToken);
        logger.LogDebug("Master key provisioned");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
