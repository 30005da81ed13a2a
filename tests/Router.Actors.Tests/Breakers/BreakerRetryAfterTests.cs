using Router.Contracts.Messages;

namespace Router.Actors.Tests.Breakers;

public sealed class BreakerRetryAfterTests(ITestOutputHelper output) : BreakerTestKit(output)
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(45);

    [Fact]
    public void A_RetryAfter_opens_it_at_once_until_the_pause_ends()
    {
        var now = Clock.GetUtcNow();

        FailWithRetryAfter(Pause); // one failure, far below the threshold

        var state = State();
        Assert.Equal(CircuitState.Open, state.Circuit);
        Assert.Equal(1, state.ConsecutiveFailures);
        Assert.Equal(now + Pause, state.OpenUntil);
        Assert.True(state.RefusesAt(now));
        var refused = Assert.IsType<ProviderBreaker.Refused>(AskPermit());
        Assert.Equal(Pause, refused.RetryAfter);

        Clock.Advance(Pause - TimeSpan.FromSeconds(1));
        refused = Assert.IsType<ProviderBreaker.Refused>(AskPermit());
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
    }

    [Fact]
    public void After_the_pause_it_half_opens_with_exactly_one_probe()
    {
        FailWithRetryAfter(Pause);
        Assert.IsType<ProviderBreaker.Refused>(AskPermit());

        Clock.Advance(Pause);

        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
        var state = State();
        Assert.Equal(CircuitState.HalfOpen, state.Circuit);
        Assert.Null(state.OpenUntil);
        Assert.IsType<ProviderBreaker.Refused>(AskPermit());

        Succeed();
        Assert.Equal(CircuitState.Closed, State().Circuit);
        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
    }

    [Fact]
    public void A_pause_shorter_than_the_cooldown_lasts_only_the_pause()
    {
        var now = Clock.GetUtcNow();

        FailWithRetryAfter(TimeSpan.FromSeconds(5));

        Assert.Equal(now + TimeSpan.FromSeconds(5), State().OpenUntil);
        Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
    }

    [Fact]
    public void A_longer_open_time_already_set_is_kept()
    {
        var openedAt = Clock.GetUtcNow();
        FailWithRetryAfter(TimeSpan.FromSeconds(120));
        Settle();
        Clock.Advance(TimeSpan.FromSeconds(5));

        FailWithRetryAfter(TimeSpan.FromSeconds(10)); // 2 in a row: the threshold does not restart anything

        Assert.Equal(openedAt + TimeSpan.FromSeconds(120), State().OpenUntil);
        var refused = Assert.IsType<ProviderBreaker.Refused>(AskPermit());
        Assert.Equal(TimeSpan.FromSeconds(115), refused.RetryAfter);
    }

    [Fact]
    public void A_pause_longer_than_the_cooldown_of_an_open_circuit_extends_it()
    {
        Fail(Settings.ConsecutiveFailuresToOpen);
        Settle();
        Clock.Advance(TimeSpan.FromSeconds(5));
        var now = Clock.GetUtcNow();

        FailWithRetryAfter(TimeSpan.FromSeconds(90));

        Assert.Equal(now + TimeSpan.FromSeconds(90), State().OpenUntil);
        Clock.Advance(Settings.Cooldown);
        Assert.IsType<ProviderBreaker.Refused>(AskPermit());
    }

    [Fact]
    public void A_probe_answered_with_a_pause_reopens_it_for_the_pause()
    {
        Fail(Settings.ConsecutiveFailuresToOpen);
        Settle();
        Clock.Advance(Settings.Cooldown);
        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
        var now = Clock.GetUtcNow();

        FailWithRetryAfter(TimeSpan.FromSeconds(120));

        var state = State();
        Assert.Equal(CircuitState.Open, state.Circuit);
        Assert.Equal(now + TimeSpan.FromSeconds(120), state.OpenUntil);
    }

    [Fact]
    public void A_late_answer_does_not_cut_the_pause_short()
    {
        FailWithRetryAfter(Pause);

        Succeed(); // a call permitted before the pause

        Assert.Equal(CircuitState.Open, State().Circuit);
        Assert.IsType<ProviderBreaker.Refused>(AskPermit());
    }

    [Fact]
    public void A_zero_RetryAfter_is_no_pause()
    {
        FailWithRetryAfter(TimeSpan.Zero);

        var state = State();
        Assert.Equal(CircuitState.Closed, state.Circuit);
        Assert.Null(state.OpenUntil);
        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
    }
}
