using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Router.Actors.Breakers;
using Router.Actors.KeyBudgets;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Cluster;
using Router.Host.Proxy;

namespace Router.Host.Tests.Proxy;

/// <summary>
/// The serving side of confirmed settlement against a stand-in for the key region that stays silent
/// until told to answer, as a key recovering on the other node would.
/// </summary>
public sealed class SettlementOutboxTests : IAsyncDisposable
{
    private static readonly AuthenticatedKey Key = new("key-1", "sk-abc", "hash", "team");
    private static readonly KeyBudget.Settle Settle = new("key-1", "req_1", "gpt-4o", new TokenUsage(10, 5, 0), 0.015m, Confirm: true);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ActorSystem _system = ActorSystem.Create("settlement-outbox-tests");
    private readonly SilentKeys _keys = new();

    private SettlementOutbox Outbox(TimeSpan timeout, TimeSpan retryInterval)
    {
        var region = _system.ActorOf(Props.Create(() => new KeyRegion(_keys)));
        var admission = new Admission(RequiredActors.Of<KeyBudgetActor>(region), RequiredActors.Of<ProviderBreakersActor>(ActorRefs.Nobody), new DeploymentBoard(), TimeSpan.FromSeconds(1), KeyActorAsks.Once(TimeSpan.FromSeconds(1), "router.admission-timeout"));
        return new SettlementOutbox(admission, new SettlementSettings(true, timeout, retryInterval), TimeProvider.System,
            NullLogger<SettlementOutbox>.Instance);
    }

    [Fact]
    public async Task The_settlement_is_asked_again_every_interval_until_the_key_answers()
    {
        var outbox = Outbox(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        _keys.AnswerFrom = 3;

        await outbox.SettleAsync(Key, Settle, Ct);

        Assert.Equal(3, _keys.Asked);
        Assert.Equal(0, outbox.Pending);
    }

    [Fact]
    public async Task An_answer_that_never_comes_ends_the_wait_at_the_timeout_and_the_outbox_keeps_asking()
    {
        var outbox = Outbox(TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(100));
        var started = DateTime.UtcNow;

        await outbox.SettleAsync(Key, Settle, Ct);

        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(5));
        Assert.Equal(1, outbox.Pending);
        var askedWhileWaiting = _keys.Asked;
        Assert.InRange(askedWhileWaiting, 3, 6);       // one ask per interval (a slow machine may fit fewer)

        await outbox.StartAsync(Ct);
        await WaitUntilAsync(() => _keys.Asked >= askedWhileWaiting + 2);
        Assert.Equal(1, outbox.Pending);               // still silent: still owed
        _keys.AnswerFrom = _keys.Asked + 1;
        await WaitUntilAsync(() => outbox.Pending == 0);
        await outbox.StopAsync(Ct);
    }

    [Fact]
    public async Task A_client_that_leaves_ends_the_wait_and_leaves_the_settlement_to_the_outbox()
    {
        var outbox = Outbox(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        using var left = new CancellationTokenSource(TimeSpan.FromMilliseconds(250));

        await outbox.SettleAsync(Key, Settle, left.Token);

        Assert.Equal(1, outbox.Pending);
    }

    [Fact]
    public async Task Stopping_sends_what_is_still_owed_once_more()
    {
        var outbox = Outbox(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(100));
        await outbox.SettleAsync(Key, Settle, Ct);
        var asked = _keys.Asked;

        await outbox.StartAsync(Ct);
        await outbox.StopAsync(Ct);

        await WaitUntilAsync(() => _keys.Asked > asked && _keys.Told > 0);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s");
            await Task.Delay(20, Ct);
        }
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    /// <summary>What the stand-in has seen, and from which settlement on it answers (never by default).</summary>
    private sealed class SilentKeys
    {
        private int _asked;
        private int _told;
        public volatile int AnswerFrom = int.MaxValue;
        public int Asked => Volatile.Read(ref _asked);
        public int Told => Volatile.Read(ref _told);
        public int Count() => Interlocked.Increment(ref _asked);
        public void CountTold() => Interlocked.Increment(ref _told);
    }

    private sealed class KeyRegion : ReceiveActor
    {
        public KeyRegion(SilentKeys keys) =>
            Receive<KeyBudget.Settle>(settle =>
            {
                if (Sender.IsNobody()) keys.CountTold();
                if (keys.Count() >= keys.AnswerFrom) Sender.Tell(new KeyBudget.Settled(settle.KeyId, settle.RequestId));
            });
    }
}
