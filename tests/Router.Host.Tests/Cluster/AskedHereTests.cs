using System.Diagnostics;
using Akka.Actor;
using Router.Host.Cluster;

namespace Router.Host.Tests.Cluster;

/// <summary>An ask answered on this node: each asker its own answer, whoever sends it, or a timeout or cancellation on time.</summary>
public sealed class AskedHereTests : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ActorSystem _system = ActorSystem.Create("asked-here-tests");

    [Fact]
    public async Task Each_of_many_asks_at_once_gets_its_own_answer_from_whichever_actor_answers()
    {
        var answerer = _system.ActorOf(Props.Create(() => new Echo()));
        var forwarder = _system.ActorOf(Props.Create(() => new Forwarder(answerer)));

        var asks = Enumerable.Range(0, 1000)
            .Select(i => AskedHere.AskAsync<string>(i % 2 == 0 ? answerer : forwarder, $"m{i}", TimeSpan.FromSeconds(10), Ct)).ToList();
        var answers = await Task.WhenAll(asks);

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"m{i}:{AddressOf(_system)}"), answers);
    }

    [Fact]
    public async Task No_answer_within_the_timeout_is_an_ask_timeout()
    {
        var silent = _system.ActorOf(Props.Create(() => new Silent()));
        var started = Stopwatch.GetTimestamp();

        await Assert.ThrowsAsync<AskTimeoutException>(() => AskedHere.AskAsync<string>(silent, "m", TimeSpan.FromMilliseconds(300), Ct));

        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_caller_that_leaves_stops_waiting_at_once()
    {
        var silent = _system.ActorOf(Props.Create(() => new Silent()));
        using var left = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var ask = AskedHere.AskAsync<string>(silent, "m", TimeSpan.FromSeconds(30), left.Token);
        await left.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask.WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }

    [Fact]
    public async Task An_answer_of_another_type_fails_the_ask_as_Akka_s_does()
    {
        var answerer = _system.ActorOf(Props.Create(() => new Echo()));

        await Assert.ThrowsAsync<ArgumentException>(() => AskedHere.AskAsync<int>(answerer, "m", TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task A_second_actor_system_gets_answers_of_its_own()
    {
        var first = _system.ActorOf(Props.Create(() => new Echo()));
        await AskedHere.AskAsync<string>(first, "m", TimeSpan.FromSeconds(10), Ct);
        var other = ActorSystem.Create("asked-here-tests-other");
        try
        {
            var answer = await AskedHere.AskAsync<string>(other.ActorOf(Props.Create(() => new Echo())), "m", TimeSpan.FromSeconds(10), Ct);
            Assert.Equal($"m:{AddressOf(other)}", answer);
        }
        finally
        {
            await other.Terminate();
        }
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    private static Address AddressOf(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;

    /// <summary>Answers with the message and the address of whoever asked.</summary>
    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<string>(message => Sender.Tell($"{message}:{Sender.Path.Address}"));
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef to) => ReceiveAny(to.Forward);
    }

    private sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }
}
