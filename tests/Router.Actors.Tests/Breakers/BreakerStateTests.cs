using Akka.Actor;
using Router.Contracts.Messages;

namespace Router.Actors.Tests.Breakers;

public sealed class BreakerStateTests(ITestOutputHelper output) : BreakerTestKit(output)
{
    [Fact]
    public void A_new_breaker_is_closed_with_no_failures_and_no_latency()
    {
        Assert.Equal(new ProviderBreaker.State(DeploymentId, CircuitState.Closed, 0, 0), State());
    }

    [Fact]
    public void State_reports_consecutive_failures_and_the_open_circuit()
    {
        Fail(2);
        Assert.Equal((CircuitState.Closed, 2), (State().Circuit, State().ConsecutiveFailures));

        Fail();
        var state = State();
        Assert.Equal(CircuitState.Open, state.Circuit);
        Assert.Equal(3, state.ConsecutiveFailures);
    }

    [Fact]
    public void The_first_latency_is_taken_as_is_and_later_ones_are_weighted_one_fifth()
    {
        Succeed(100);
        Assert.Equal(100, State().LatencyEwmaMs, precision: 6);

        Succeed(200);
        Assert.Equal(120, State().LatencyEwmaMs, precision: 6); // 0.2 * 200 + 0.8 * 100

        Succeed(50);
        Assert.Equal(106, State().LatencyEwmaMs, precision: 6); // 0.2 * 50 + 0.8 * 120
    }

    [Fact]
    public void Provider_failures_do_not_move_the_latency_average()
    {
        Succeed(100);
        Breaker.Tell(new ProviderBreaker.ReportOutcome(DeploymentId, CallResult.ProviderFailed, TimeSpan.FromSeconds(30)));

        Assert.Equal(100, State().LatencyEwmaMs, precision: 6);
    }
}
