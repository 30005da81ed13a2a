using Akka.Actor;
using Router.Actors.Breakers;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Tests.Shared;

namespace Router.Actors.Tests.Breakers;

public sealed class ProviderBreakersActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit.TestKit("akka.loglevel = ERROR", output: output)
{
    private static readonly BreakerSettings Settings = new(2, TimeSpan.FromSeconds(30));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IActorRef NewBreakers() => Sys.ActorOf(ProviderBreakersActor.Props(Settings, new ManualClock(), new DeploymentBoard()));

    [Fact]
    public void Each_deployment_has_its_own_circuit()
    {
        var breakers = NewBreakers();
        breakers.Tell(new ProviderBreaker.ReportOutcome("openai:gpt-4o", CallResult.ProviderFailed, TimeSpan.Zero));
        breakers.Tell(new ProviderBreaker.ReportOutcome("openai:gpt-4o", CallResult.ProviderFailed, TimeSpan.Zero));

        breakers.Tell(new ProviderBreaker.RequestPermit("openai:gpt-4o", "r1"));
        ExpectMsg<ProviderBreaker.Refused>(r => Assert.Equal("openai:gpt-4o", r.DeploymentId), cancellationToken: Ct);
        breakers.Tell(new ProviderBreaker.RequestPermit("openrouter:*", "r2"));
        ExpectMsg(new ProviderBreaker.Permit("openrouter:*"), cancellationToken: Ct);
    }

    [Fact]
    public void The_keys_remaining_budget_passes_through_a_permit_and_a_refusal()
    {
        var breakers = NewBreakers();
        breakers.Tell(new ProviderBreaker.RequestPermit("openrouter:*", "r1", 0.42m));
        ExpectMsg(new ProviderBreaker.Permit("openrouter:*", 0.42m), cancellationToken: Ct);

        breakers.Tell(new ProviderBreaker.ReportOutcome("openai:gpt-4o", CallResult.ProviderFailed, TimeSpan.Zero));
        breakers.Tell(new ProviderBreaker.ReportOutcome("openai:gpt-4o", CallResult.ProviderFailed, TimeSpan.Zero));
        breakers.Tell(new ProviderBreaker.RequestPermit("openai:gpt-4o", "r2", 0.40m));
        ExpectMsg<ProviderBreaker.Refused>(r => Assert.Equal(0.40m, r.KeyRemaining), cancellationToken: Ct);
    }

    [Fact]
    public void A_completion_limit_the_key_lowered_passes_through_a_permit_and_a_refusal()
    {
        var breakers = NewBreakers();
        breakers.Tell(new ProviderBreaker.RequestPermit("openrouter:*", "r1", 0.42m, CappedMaxTokens: 90));
        ExpectMsg(new ProviderBreaker.Permit("openrouter:*", 0.42m, 90), cancellationToken: Ct);

        breakers.Tell(new ProviderBreaker.ReportOutcome("openai:gpt-4o", CallResult.ProviderFailed, TimeSpan.Zero));
        breakers.Tell(new ProviderBreaker.ReportOutcome("openai:gpt-4o", CallResult.ProviderFailed, TimeSpan.Zero));
        breakers.Tell(new ProviderBreaker.RequestPermit("openai:gpt-4o", "r2", 0.40m, CappedMaxTokens: 64));
        // The key admitted the request with that limit: it holds on whichever deployment serves it.
        ExpectMsg<ProviderBreaker.Refused>(r => Assert.Equal(64, r.CappedMaxTokens), cancellationToken: Ct);
    }

    [Theory]
    [InlineData("ollama:ollama/*")]
    [InlineData("openai:gpt-4o#2")]
    [InlineData("nvidia-nim:nvidia_nim/* x?y%z")]
    public void Deployment_ids_with_any_characters_reach_their_breaker(string deploymentId)
    {
        var breakers = NewBreakers();

        breakers.Tell(new ProviderBreaker.ReportOutcome(deploymentId, CallResult.ProviderFailed, TimeSpan.Zero));
        breakers.Tell(new ProviderBreaker.GetState(deploymentId));

        var state = ExpectMsg<ProviderBreaker.State>(cancellationToken: Ct);
        Assert.Equal(deploymentId, state.DeploymentId);
        Assert.Equal(1, state.ConsecutiveFailures);
    }

    [Fact]
    public void The_breaker_answers_the_original_asker()
    {
        var breakers = NewBreakers();
        var asker = CreateTestProbe();

        breakers.Tell(new ProviderBreaker.RequestPermit("ollama:ollama/*", "r1"), asker.Ref);

        asker.ExpectMsg(new ProviderBreaker.Permit("ollama:ollama/*"), cancellationToken: Ct);
        ExpectNoMsg(TimeSpan.FromMilliseconds(50), Ct);
    }

    [Fact]
    public void Breakers_of_ten_thousand_models_named_once_stop_when_idle_and_leave_the_board_as_it_was()
    {
        var board = new DeploymentBoard();
        var breakers = Sys.ActorOf(ProviderBreakersActor.Props(Settings, new ManualClock(), board, idleAfter: TimeSpan.FromMilliseconds(300)));
        breakers.Tell(new ProviderBreaker.RequestPermit("openrouter:*", "warm"));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);

        for (var i = 0; i < 10_000; i++) breakers.Tell(new ProviderBreaker.RequestPermit($"openrouter:*>model-{i}", $"r{i}"));
        ReceiveN(10_000, TimeSpan.FromSeconds(30), Ct);
        Assert.True(board.Count > 1_000, $"only {board.Count} circuits on the board while they run");

        // A breaker leaves the board as it stops (PostStop): an empty board is every breaker stopped.
        AwaitCondition(() => board.Count == 0, TimeSpan.FromSeconds(20), cancellationToken: Ct);
    }

    [Fact]
    public void A_breaker_asked_more_often_than_its_idle_time_stays_and_stops_once_the_asking_stops()
    {
        var board = new DeploymentBoard();
        var breakers = Sys.ActorOf(ProviderBreakersActor.Props(Settings, new ManualClock(), board, idleAfter: TimeSpan.FromMilliseconds(400)));
        ProviderBreaker.State Published() => board.All.Single(state => state.DeploymentId == "busy:model");
        breakers.Tell(new ProviderBreaker.RequestPermit("busy:model", "r0"));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
        var first = Published();

        var asking = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 1; asking.Elapsed < TimeSpan.FromSeconds(2); i++)
        {
            Thread.Sleep(100);
            breakers.Tell(new ProviderBreaker.RequestPermit("busy:model", $"r{i}"));
            ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
            // Still the first breaker: a breaker publishes only a changed state, and a new one publishes its own as it starts.
            Assert.Same(first, Published());
        }

        AwaitCondition(() => board.All.All(state => state.DeploymentId != "busy:model"), TimeSpan.FromSeconds(5), cancellationToken: Ct);
    }

    [Fact]
    public void A_breaker_with_failures_to_remember_stays_and_one_asked_again_after_stopping_starts_fresh()
    {
        var board = new DeploymentBoard();
        var breakers = Sys.ActorOf(ProviderBreakersActor.Props(Settings, new ManualClock(), board, idleAfter: TimeSpan.FromMilliseconds(200)));
        breakers.Tell(new ProviderBreaker.ReportOutcome("openai:gpt-4o", CallResult.ProviderFailed, TimeSpan.Zero));
        breakers.Tell(new ProviderBreaker.ReportOutcome("openai:gpt-4o", CallResult.ProviderFailed, TimeSpan.Zero));
        breakers.Tell(new ProviderBreaker.RequestPermit("quiet:model", "r1"));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);

        AwaitCondition(() => board.All.All(s => s.DeploymentId != "quiet:model"), TimeSpan.FromSeconds(5), cancellationToken: Ct);
        ExpectNoMsg(TimeSpan.FromMilliseconds(500), Ct);

        // The open circuit was kept: it still refuses.
        breakers.Tell(new ProviderBreaker.RequestPermit("openai:gpt-4o", "r2"));
        ExpectMsg<ProviderBreaker.Refused>(cancellationToken: Ct);
        // The stopped one answers again, from a new breaker.
        breakers.Tell(new ProviderBreaker.RequestPermit("quiet:model", "r3"));
        ExpectMsg(new ProviderBreaker.Permit("quiet:model"), cancellationToken: Ct);
    }

    [Fact]
    public void Each_breaker_publishes_to_the_board_it_was_given()
    {
        var board = new DeploymentBoard();
        var breakers = Sys.ActorOf(ProviderBreakersActor.Props(Settings, new ManualClock(), board));

        breakers.Tell(new ProviderBreaker.ReportOutcome("openai:gpt-4o", CallResult.ProviderFailed, TimeSpan.Zero));
        breakers.Tell(new ProviderBreaker.ReportOutcome("openai:gpt-4o", CallResult.ProviderFailed, TimeSpan.Zero));

        AwaitCondition(() => board.Health("openai:gpt-4o").Circuit == CircuitState.Open, TimeSpan.FromSeconds(3), cancellationToken: Ct);
        Assert.Equal(2, board.Health("openai:gpt-4o").ConsecutiveFailures);
        Assert.Equal(ProviderBreaker.State.Untried("openrouter:*"), board.Health("openrouter:*"));
    }
}
