using System.Diagnostics;
using Akka.Actor;
using Router.Contracts.Configuration;
using Router.Host.Cluster;
using Router.Host.Configuration;

namespace Router.Host.Tests.Cluster;

/// <summary>
/// Asking a key's actor against a stand-in that stays silent until told to answer, as a key whose actor
/// lived on a peer that died does until it has moved.
/// </summary>
public sealed class KeyActorAsksTests : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ActorSystem _system = ActorSystem.Create("key-actor-asks-tests");
    private readonly Silent _silent = new();

    private IActorRef Key() => _system.ActorOf(Props.Create(() => new SilentKey(_silent)));

    [Fact]
    public async Task On_one_node_a_request_asks_once()
    {
        var started = Stopwatch.GetTimestamp();

        await Assert.ThrowsAsync<AskTimeoutException>(() => KeyActorAsks.Once(TimeSpan.FromMilliseconds(300), "router.admission-timeout").AskAsync<string>(Key(), "admit", Ct));

        Assert.Equal(1, _silent.Asked);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task In_a_pair_an_unanswered_ask_is_sent_again_until_the_key_answers()
    {
        _silent.AnswerFrom = 3;

        var answer = await new KeyActorAsks(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), "router.cluster.handover-timeout")
            .AskAsync<string>(Key(), "admit", Ct);

        Assert.Equal("admit", answer);
        Assert.Equal(3, _silent.Asked);
    }

    [Fact]
    public async Task An_answer_slower_than_the_interval_is_still_heard()
    {
        // Each ask is answered 250 ms after it arrives, as a confirmation waiting for a write to a slow peer is:
        // an asker that gave up on each ask at the next, 100 ms later, would never hear one.
        var slow = _system.ActorOf(Props.Create(() => new SlowKey(TimeSpan.FromMilliseconds(250))));

        var answer = await new KeyActorAsks(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), "router.settlement.timeout")
            .AskAsync<string>(slow, "settle", Ct);

        Assert.Equal("settle", answer);
    }

    [Fact]
    public async Task The_asks_end_at_their_bound()
    {
        var started = Stopwatch.GetTimestamp();

        await Assert.ThrowsAsync<AskTimeoutException>(() =>
            new KeyActorAsks(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(450), "router.cluster.handover-timeout").AskAsync<string>(Key(), "admit", Ct));

        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5));
        Assert.InRange(_silent.Asked, 3, 5); // one ask per 100 ms (a slow machine may fit fewer)
    }

    [Fact]
    public async Task A_client_that_leaves_ends_the_asks()
    {
        using var left = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        left.CancelAfter(TimeSpan.FromMilliseconds(250));
        var started = Stopwatch.GetTimestamp();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new KeyActorAsks(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), "router.cluster.handover-timeout").AskAsync<string>(Key(), "admit", left.Token));

        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_pair_waits_the_longer_of_the_admission_and_handover_timeouts_and_one_node_the_admission_timeout()
    {
        var settings = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(null));
        var pair = settings with { Cluster = ClusterSettings.Off with { Enabled = true } };

        Assert.Equal(KeyActorAsks.Once(TimeSpan.FromSeconds(5), "router.admission-timeout") with { AnsweredHere = true }, KeyActorAsks.For(settings));
        Assert.Equal(new KeyActorAsks(KeyActorAsks.AskAgainAfter, TimeSpan.FromSeconds(15), "router.cluster.handover-timeout"), KeyActorAsks.For(pair));
        Assert.Equal(new KeyActorAsks(KeyActorAsks.AskAgainAfter, TimeSpan.FromSeconds(20), "router.admission-timeout"),
            KeyActorAsks.For(pair with { AdmissionTimeout = TimeSpan.FromSeconds(20) }));
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    /// <summary>How often the stand-in was asked, and from which ask on it answers (never by default).</summary>
    private sealed class Silent
    {
        private int _asked;
        public volatile int AnswerFrom = int.MaxValue;
        public int Asked => Volatile.Read(ref _asked);
        public int Count() => Interlocked.Increment(ref _asked);
    }

    private sealed class SlowKey : ReceiveActor, IWithTimers
    {
        public ITimerScheduler Timers { get; set; } = null!;

        public SlowKey(TimeSpan delay)
        {
            var asked = 0;
            Receive<string>(message => Timers.StartSingleTimer(++asked, new Reply(message, Sender), delay));
            Receive<Reply>(reply => reply.To.Tell(reply.Message));
        }

        private sealed record Reply(string Message, IActorRef To);
    }

    private sealed class SilentKey : ReceiveActor
    {
        public SilentKey(Silent silent) =>
            Receive<string>(message =>
            {
                if (silent.Count() >= silent.AnswerFrom) Sender.Tell(message);
            });
    }
}
