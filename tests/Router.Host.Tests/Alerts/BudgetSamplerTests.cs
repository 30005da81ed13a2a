using System.Collections.Concurrent;
using Akka.Actor;
using Router.Actors.Breakers;
using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Alerts;
using Router.Host.Auth;
using Router.Host.Cluster;
using Router.Host.Proxy;
using Router.Host.Tests.Proxy;

namespace Router.Host.Tests.Alerts;

/// <summary>
/// The alert sampler's budget check asks only the actors of keys charged (or changed) since the last sample, through
/// the real settle path of <see cref="Admission"/>, against a stand-in key region that records every state asked of it.
/// </summary>
public sealed class BudgetSamplerTests : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ActorSystem _system = ActorSystem.Create("budget-sampler-tests");
    private readonly ConcurrentQueue<string> _asked = new();
    private readonly ChargedKeys _charged = new();
    private readonly Admission _admission;
    private readonly BudgetSampler _sampler;

    public BudgetSamplerTests()
    {
        var region = _system.ActorOf(Props.Create(() => new KeyRegion(_asked)));
        var asks = KeyActorAsks.Once(TimeSpan.FromSeconds(2), "router.admission-timeout");
        _admission = new Admission(RequiredActors.Of<KeyBudgetActor>(region), RequiredActors.Of<ProviderBreakersActor>(ActorRefs.Nobody),
            new DeploymentBoard(), TimeSpan.FromSeconds(1), asks, charged: _charged);
        _sampler = new BudgetSampler(_charged, new KeyStates(RequiredActors.Of<KeyBudgetActor>(region), asks));
    }

    private static KeyBudget.Settle Settle(string keyId, decimal cost) => new(keyId, "req_" + keyId, "gpt-4o", new TokenUsage(10, 5, 0), cost);

    [Fact]
    public async Task Only_a_key_charged_since_the_last_sample_is_asked_and_an_idle_key_never()
    {
        _admission.SettleKey(Settle("key_busy000000000", 0.5m));
        // Answered from the cache: nothing charged, so nothing can have risen.
        _admission.SettleKey(Settle("key_cached0000000", 0m));

        var sample = Assert.Single(await _sampler.SampleAsync(Ct));
        Assert.Equal(("key_busy0000", "busy", 9m, 10m), (sample.KeyIdPrefix, sample.Alias, sample.PeriodSpend, sample.MaxBudget));
        Assert.Equal(["key_busy000000000"], _asked);

        // Nothing charged since: no key's actor is asked at all, "key_idle" (never charged) least of all.
        Assert.Empty(await _sampler.SampleAsync(Ct));
        Assert.Equal(["key_busy000000000"], _asked);

        // A confirmed settlement marks its key too, answered or not.
        await _admission.TrySettleConfirmedAsync(Settle("key_confirmed0000", 0.1m) with { Confirm = true },
            KeyActorAsks.Once(TimeSpan.FromMilliseconds(200), "router.settlement.timeout"), Ct);
        Assert.Single(await _sampler.SampleAsync(Ct));
        Assert.DoesNotContain("key_idle000000000", _asked);
        Assert.Equal(["key_busy000000000", "key_confirmed0000"], _asked);
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    /// <summary>Every key has a budget of $10 of which $9 are spent; settlements are taken and confirmed.</summary>
    private sealed class KeyRegion : ReceiveActor
    {
        public KeyRegion(ConcurrentQueue<string> asked)
        {
            Receive<KeyBudget.Settle>(settle =>
            {
                if (settle.Confirm) Sender.Tell(new KeyBudget.Settled(settle.KeyId, settle.RequestId));
            });
            Receive<KeyBudget.GetState>(get =>
            {
                asked.Enqueue(get.KeyId);
                var policy = new KeyPolicy("hash", "sk-abc", [], Alias: get.KeyId[4..8], MaxBudget: 10m);
                Sender.Tell(new KeyBudget.State(get.KeyId, policy, false, 1, 10, 5, 9m, 9m, null, 0, 0, 0, 0));
            });
        }
    }
}
