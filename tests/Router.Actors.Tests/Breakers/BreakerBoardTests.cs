using Router.Contracts.Messages;

namespace Router.Actors.Tests.Breakers;

/// <summary>
/// The board is checked before asking the breaker anything where possible: asking for its state would
/// publish it too, and the point is that every change is published without being asked.
/// </summary>
public sealed class BreakerBoardTests(ITestOutputHelper output) : BreakerTestKit(output)
{
    private ProviderBreaker.State OnBoard => Board.Health(DeploymentId);

    private void AwaitBoard(Func<ProviderBreaker.State, bool> condition) =>
        AwaitCondition(() => condition(OnBoard), TimeSpan.FromSeconds(3), cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public void A_starting_breaker_publishes_its_initial_state()
    {
        Board.Publish(new ProviderBreaker.State(DeploymentId, CircuitState.Open, 7, 250, Clock.GetUtcNow().AddHours(1)));

        _ = Breaker; // started, and sent nothing

        AwaitBoard(s => s.Circuit == CircuitState.Closed);
        Assert.Equal(ProviderBreaker.State.Untried(DeploymentId), OnBoard);
    }

    [Fact]
    public void Every_change_of_the_circuit_reaches_the_board()
    {
        _ = Breaker;
        AwaitBoard(s => s == ProviderBreaker.State.Untried(DeploymentId));
        var openedAt = Clock.GetUtcNow();

        Fail(Settings.ConsecutiveFailuresToOpen);
        AwaitBoard(s => s.Circuit == CircuitState.Open);
        Assert.Equal(openedAt + Settings.Cooldown, OnBoard.OpenUntil);
        Assert.True(OnBoard.RefusesAt(Clock.GetUtcNow()));
        Assert.Equal(State(), OnBoard);

        Clock.Advance(Settings.Cooldown);
        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
        Assert.Equal(CircuitState.HalfOpen, OnBoard.Circuit); // published before the permit was answered
        Assert.Null(OnBoard.OpenUntil);
        Assert.Equal(State(), OnBoard);

        Succeed(80);
        AwaitBoard(s => s.Circuit == CircuitState.Closed);
        var closed = OnBoard;
        Assert.Equal(0, closed.ConsecutiveFailures);
        Assert.Equal(80, closed.LatencyEwmaMs, precision: 6);
        Assert.Equal(State(), closed);
    }

    [Fact]
    public void Outcomes_that_leave_the_circuit_closed_still_reach_the_board()
    {
        _ = Breaker;
        AwaitBoard(s => s == ProviderBreaker.State.Untried(DeploymentId));

        Succeed(120);
        Fail();

        AwaitBoard(s => s.CallsInWindow == 2);
        Assert.Equal(1, OnBoard.ConsecutiveFailures);
        Assert.Equal(120, OnBoard.LatencyEwmaMs, precision: 6);
        Assert.Equal(0.5, OnBoard.FailureRate, precision: 9);
    }

    [Fact]
    public void A_pause_reaches_the_board_with_its_end()
    {
        _ = Breaker;
        var now = Clock.GetUtcNow();

        FailWithRetryAfter(TimeSpan.FromSeconds(45));

        AwaitBoard(s => s.Circuit == CircuitState.Open);
        Assert.Equal(now + TimeSpan.FromSeconds(45), OnBoard.OpenUntil);
        Assert.True(OnBoard.RefusesAt(now + TimeSpan.FromSeconds(44)));
        Assert.False(OnBoard.RefusesAt(now + TimeSpan.FromSeconds(45)));
    }

    [Fact]
    public void A_circuit_is_closed_for_sure_only_once_its_breaker_has_published_it_closed()
    {
        Assert.False(Board.ClosedForSure(DeploymentId)); // nothing published yet: ask the breaker

        _ = Breaker;
        AwaitCondition(() => Board.ClosedForSure(DeploymentId), TimeSpan.FromSeconds(3), cancellationToken: TestContext.Current.CancellationToken);

        Fail(Settings.ConsecutiveFailuresToOpen);
        AwaitBoard(s => s.Circuit == CircuitState.Open);
        Assert.False(Board.ClosedForSure(DeploymentId));
    }

    [Fact]
    public void A_failure_on_its_way_to_the_breaker_means_the_breaker_must_be_asked_until_it_has_read_it()
    {
        _ = Breaker;
        AwaitCondition(() => Board.ClosedForSure(DeploymentId), TimeSpan.FromSeconds(3), cancellationToken: TestContext.Current.CancellationToken);

        // As the request path does: counted as sent before it is told, so a request after it cannot skip the breaker.
        Board.FailureSent(DeploymentId);
        Assert.False(Board.ClosedForSure(DeploymentId));
        Fail();

        // One failure of three: the circuit stays closed, and once read it is closed for sure again.
        AwaitCondition(() => Board.ClosedForSure(DeploymentId), TimeSpan.FromSeconds(3), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(1, OnBoard.ConsecutiveFailures);
    }

    [Fact]
    public void A_failure_told_without_being_counted_does_not_hide_later_ones()
    {
        _ = Breaker;
        Fail(); // from elsewhere than the request path: never counted as sent
        Settle();

        Board.FailureSent(DeploymentId);
        Assert.False(Board.ClosedForSure(DeploymentId));
    }
}
