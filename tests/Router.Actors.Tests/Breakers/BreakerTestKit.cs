using Akka.Actor;
using Router.Actors.Breakers;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Tests.Shared;

namespace Router.Actors.Tests.Breakers;

/// <summary>
/// One breaker under a hand-moved clock: 3 failures in a row open it, or half of at least 20 calls in the
/// last 60 s; the cooldown is 30 s. It publishes to <see cref="Board"/>.
/// </summary>
public abstract class BreakerTestKit(ITestOutputHelper output) : Akka.TestKit.Xunit.TestKit("akka.loglevel = ERROR", output: output)
{
    protected const string DeploymentId = "openai:gpt-*";
    protected static readonly BreakerSettings Settings = new(ConsecutiveFailuresToOpen: 3, Cooldown: TimeSpan.FromSeconds(30));

    protected ManualClock Clock { get; } = new();

    protected DeploymentBoard Board { get; } = new();

    private IActorRef? _breaker;

    protected IActorRef Breaker => _breaker ??= Sys.ActorOf(ProviderBreakerActor.Props(DeploymentId, Settings, Clock, Board));

    protected object AskPermit()
    {
        Breaker.Tell(new ProviderBreaker.RequestPermit(DeploymentId, Guid.NewGuid().ToString("N")));
        return ExpectMsg<object>(TimeSpan.FromSeconds(1));
    }

    protected void Fail(int times = 1)
    {
        for (var i = 0; i < times; i++)
            Breaker.Tell(new ProviderBreaker.ReportOutcome(DeploymentId, CallResult.ProviderFailed, TimeSpan.FromMilliseconds(50)));
    }

    protected void FailWithRetryAfter(TimeSpan retryAfter) =>
        Breaker.Tell(new ProviderBreaker.ReportOutcome(DeploymentId, CallResult.ProviderFailed, TimeSpan.FromMilliseconds(50), retryAfter));

    protected void Abandon() =>
        Breaker.Tell(new ProviderBreaker.ReportOutcome(DeploymentId, CallResult.Abandoned, TimeSpan.Zero));

    protected void Succeed(double latencyMs = 100) =>
        Breaker.Tell(new ProviderBreaker.ReportOutcome(DeploymentId, CallResult.Answered, TimeSpan.FromMilliseconds(latencyMs)));

    /// <summary>Waits until the breaker has handled everything told so far, so that the clock can move after it.</summary>
    protected void Settle() => State();

    protected ProviderBreaker.State State()
    {
        Breaker.Tell(new ProviderBreaker.GetState(DeploymentId));
        return ExpectMsg<ProviderBreaker.State>(TimeSpan.FromSeconds(1));
    }
}
