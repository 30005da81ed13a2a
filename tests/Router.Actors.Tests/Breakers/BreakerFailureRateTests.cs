using Router.Contracts.Messages;

namespace Router.Actors.Tests.Breakers;

public sealed class BreakerFailureRateTests(ITestOutputHelper output) : BreakerTestKit(output)
{
    /// <summary>Success then failure, <paramref name="pairs"/> times: never two failures in a row.</summary>
    private void Alternate(int pairs)
    {
        for (var i = 0; i < pairs; i++)
        {
            Succeed();
            Fail();
        }
    }

    [Fact]
    public void Half_the_calls_failing_opens_it_once_the_minimum_calls_are_reached()
    {
        Alternate(9);
        Succeed();
        var before = State();
        Assert.Equal(CircuitState.Closed, before.Circuit);
        Assert.Equal(19, before.CallsInWindow);
        Assert.Equal(9.0 / 19, before.FailureRate, precision: 9);

        Fail(); // the 20th call: 10 of 20 failed, only 1 in a row

        var state = State();
        Assert.Equal(CircuitState.Open, state.Circuit);
        Assert.Equal(1, state.ConsecutiveFailures);
        Assert.Equal(20, state.CallsInWindow);
        Assert.Equal(0.5, state.FailureRate, precision: 9);
        Assert.Equal(Clock.GetUtcNow() + Settings.Cooldown, state.OpenUntil);
        var refused = Assert.IsType<ProviderBreaker.Refused>(AskPermit());
        Assert.Equal(Settings.Cooldown, refused.RetryAfter);
    }

    [Fact]
    public void Below_the_minimum_calls_even_two_thirds_failing_keeps_it_closed()
    {
        for (var i = 0; i < 6; i++)
        {
            Succeed();
            Fail(2);
        }
        Succeed();

        var state = State();
        Assert.Equal(CircuitState.Closed, state.Circuit);
        Assert.Equal(19, state.CallsInWindow);
        Assert.Equal(12.0 / 19, state.FailureRate, precision: 9);
        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
    }

    [Fact]
    public void A_failure_rate_below_the_threshold_keeps_it_closed_however_many_calls()
    {
        for (var i = 0; i < 15; i++)
        {
            Succeed();
            Succeed();
            Fail();
        }

        var state = State();
        Assert.Equal(CircuitState.Closed, state.Circuit);
        Assert.Equal(45, state.CallsInWindow);
        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
    }

    [Fact]
    public void Abandoned_calls_count_for_neither_side()
    {
        Succeed();
        Fail();
        for (var i = 0; i < 30; i++) Abandon();

        var state = State();
        Assert.Equal(2, state.CallsInWindow);
        Assert.Equal(0.5, state.FailureRate, precision: 9);
        Assert.Equal(1, state.ConsecutiveFailures);
    }

    [Fact]
    public void Calls_older_than_the_window_roll_out_of_it()
    {
        Alternate(9);
        Settle();
        Clock.Advance(TimeSpan.FromSeconds(30));
        Alternate(1);
        Settle();

        Clock.Advance(TimeSpan.FromSeconds(20)); // 50 s after the first calls: all still in the window
        Assert.Equal(20, State().CallsInWindow);

        Clock.Advance(TimeSpan.FromSeconds(10)); // 60 s: the first 18 have left, the last 2 remain
        var state = State();
        Assert.Equal(2, state.CallsInWindow);
        Assert.Equal(0.5, state.FailureRate, precision: 9);

        Clock.Advance(TimeSpan.FromSeconds(30));
        state = State();
        Assert.Equal(0, state.CallsInWindow);
        Assert.Equal(0, state.FailureRate);
    }

    [Fact]
    public void Failures_that_rolled_out_do_not_help_open_it()
    {
        Alternate(9); // 18 calls, 9 failed
        Settle();
        Clock.Advance(TimeSpan.FromSeconds(60));

        Succeed();
        Fail(2); // within the window alone this would be 11 of 21 failed, enough to open

        var state = State();
        Assert.Equal(CircuitState.Closed, state.Circuit);
        Assert.Equal(3, state.CallsInWindow);
        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
    }

    [Fact]
    public void Closing_after_a_successful_probe_forgets_the_window()
    {
        Alternate(10);
        Assert.Equal(CircuitState.Open, State().Circuit);
        Clock.Advance(Settings.Cooldown); // the failures are still inside the 60 s window
        Assert.IsType<ProviderBreaker.Permit>(AskPermit());

        Succeed();

        var state = State();
        Assert.Equal(CircuitState.Closed, state.Circuit);
        Assert.Equal(0, state.CallsInWindow);
        Assert.Equal(0, state.FailureRate);
        Assert.Null(state.OpenUntil);

        Fail(); // had the window kept its 20 calls, 11 of 21 failed would reopen it
        Assert.Equal(CircuitState.Closed, State().Circuit);
        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
    }

    [Fact]
    public void A_late_answer_while_open_does_not_close_it()
    {
        Alternate(10);
        Assert.Equal(CircuitState.Open, State().Circuit);

        Succeed(); // a call permitted before the circuit opened

        Assert.Equal(CircuitState.Open, State().Circuit);
        Assert.IsType<ProviderBreaker.Refused>(AskPermit());
    }
}
