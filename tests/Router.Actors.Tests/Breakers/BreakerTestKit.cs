using Akka.Actor;
using Router.Actors.Breakers;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;

namespace Router.Actors.Tests.Breakers;

/// <summary>One breaker under a hand-moved clock: 3 failures open it, the cooldown is 30 s.</summary>
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

    protected void Succeed(double latencyMs = 100) =>
        Breaker.Tell(new ProviderBreaker.ReportOutcome(DeploymentId, CallResult.Answered, TimeSpan.FromMilliseconds(latencyMs)));

    protected ProviderBreaker.State State()
    {
        Breaker.Tell(new ProviderBreaker.GetState(DeploymentId));
        return ExpectMsg<ProviderBreaker.State>(TimeSpan.FromSeconds(1));
    }
}
