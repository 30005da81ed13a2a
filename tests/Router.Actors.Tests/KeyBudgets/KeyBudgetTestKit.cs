using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Router.Actors.Breakers;
using Router.Actors.KeyBudgets;
using Router.Actors.Sharding;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>
/// An actor system with the router's serializer, the in-memory journal (one per test) and snapshot store, and this node's real breakers at
/// <c>/user/breakers</c>, where a key's budget actor forwards admitted requests.
/// </summary>
public abstract class KeyBudgetTestKit : Akka.TestKit.Xunit.TestKit
{
    public static readonly Config Config = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);

    protected static readonly BreakerSettings BreakerSettings = new(2, TimeSpan.FromSeconds(30));

    protected KeyBudgetTestKit(ITestOutputHelper output) : this(output, null)
    {
    }

    /// <param name="config">The tests' own settings (another journal), over <see cref="Config"/>.</param>
    protected KeyBudgetTestKit(ITestOutputHelper output, Config? config)
        : base(RouterTestSystem.Setup(config?.WithFallback(Config) ?? Config), output: output)
    {
        Breakers = Sys.ActorOf(ProviderBreakersActor.Props(BreakerSettings, TimeProvider.System, new DeploymentBoard()), ProviderBreakersActor.Name);
    }

    protected IActorRef Breakers { get; }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The key the tests' requests present, and the hex SHA-256 a policy stores of it.</summary>
    protected const string Secret = "sk-router-test-0123456789";

    protected static readonly string SecretHash = HashOf(Secret);

    protected static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    protected static KeyPolicy PolicyFor(params string[] allowedModels) => new(SecretHash, Secret[..7], allowedModels);

    /// <summary>An admission presenting the tests' key.</summary>
    protected static KeyBudget.Admit AdmitOf(
        string keyId, string requestId, string model, string deploymentId, decimal estimatedCost = 0, int estimatedTokens = 0) =>
        new(keyId, requestId, model, deploymentId, SecretHash, estimatedCost, estimatedTokens);

    protected IActorRef NewRegion(string name = "key-budgets") =>
        Sys.ActorOf(LocalEntityRegionActor.Props(new KeyBudgetMessageExtractor(), id => KeyBudgetActor.Props(id)), name);

    protected void Provision(IActorRef target, string keyId, params string[] allowedModels) =>
        Provision(target, keyId, PolicyFor(allowedModels));

    protected void Provision(IActorRef target, string keyId, KeyPolicy policy)
    {
        target.Tell(new KeyBudget.Provision(keyId, policy));
        ExpectMsg(new KeyBudget.Provisioned(keyId), TimeSpan.FromSeconds(3));
    }

    protected KeyBudget.State StateOf(IActorRef target, string keyId)
    {
        target.Tell(new KeyBudget.GetState(keyId));
        return ExpectMsg<KeyBudget.State>(TimeSpan.FromSeconds(3));
    }

    /// <summary>Settlements are persisted asynchronously: their totals show once the journal has them.</summary>
    protected KeyBudget.State AwaitState(IActorRef target, string keyId, Func<KeyBudget.State, bool> condition, TimeSpan? within = null)
    {
        KeyBudget.State? last = null;
        AwaitCondition(() => condition(last = StateOf(target, keyId)), within ?? TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(10));
        return last!;
    }

    /// <summary>Settled usage reaches the journal in batches; this writes what is pending and waits for it.</summary>
    protected void Flush(IActorRef target, string keyId)
    {
        target.Tell(new KeyBudget.Flush(keyId));
        ExpectMsg(new KeyBudget.Flushed(keyId), TimeSpan.FromSeconds(3));
    }

    protected void StopAndAwait(IActorRef actor)
    {
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor, TimeSpan.FromSeconds(3));
        Unwatch(actor);
    }
}
