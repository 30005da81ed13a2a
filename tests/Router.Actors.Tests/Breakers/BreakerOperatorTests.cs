using Akka.Actor;
using Router.Contracts.Messages;

namespace Router.Actors.Tests.Breakers;

/// <summary>What <c>router breakers trip</c> and <c>reset</c> do to one breaker.</summary>
public sealed class BreakerOperatorTests(ITestOutputHelper output) : BreakerTestKit(output)
{
    private ProviderBreaker.State Trip(TimeSpan span)
    {
        Breaker.Tell(new ProviderBreaker.Trip(DeploymentId, span));
        return ExpectMsg<ProviderBreaker.State>(TimeSpan.FromSeconds(1));
    }

    private ProviderBreaker.State Reset()
    {
        Breaker.Tell(new ProviderBreaker.Reset(DeploymentId));
        return ExpectMsg<ProviderBreaker.State>(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_tripped_circuit_refuses_for_the_time_asked_then_probes()
    {
        var state = Trip(TimeSpan.FromMinutes(5));

        Assert.Equal(CircuitState.Open, state.Circuit);
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromMinutes(5), state.OpenUntil);
        Assert.Equal(CircuitState.Open, Board.Health(DeploymentId).Circuit);
        var refused = Assert.IsType<ProviderBreaker.Refused>(AskPermit());
        Assert.Equal(TimeSpan.FromMinutes(5), refused.RetryAfter);

        Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
        Assert.Equal(CircuitState.HalfOpen, State().Circuit);
    }

    [Fact]
    public void A_trip_shorter_than_an_earlier_opening_replaces_it()
    {
        FailWithRetryAfter(TimeSpan.FromHours(1));
        Assert.Equal(CircuitState.Open, State().Circuit);

        Trip(TimeSpan.FromSeconds(10));
        Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
    }

    [Fact]
    public void A_reset_closes_an_open_circuit_and_forgets_its_failures()
    {
        Fail(Settings.ConsecutiveFailuresToOpen);
        Assert.IsType<ProviderBreaker.Refused>(AskPermit());

        var state = Reset();

        Assert.Equal(CircuitState.Closed, state.Circuit);
        Assert.Equal(0, state.ConsecutiveFailures);
        Assert.Equal(0, state.CallsInWindow);
        Assert.Null(state.OpenUntil);
        Assert.Equal(CircuitState.Closed, Board.Health(DeploymentId).Circuit);
        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
        // The failures before the reset no longer count towards the next opening.
        Fail(Settings.ConsecutiveFailuresToOpen - 1);
        Assert.Equal(CircuitState.Closed, State().Circuit);
    }

    [Fact]
    public void A_reset_of_a_tripped_circuit_closes_it_at_once()
    {
        Trip(TimeSpan.FromHours(1));

        Reset();

        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
    }
}
