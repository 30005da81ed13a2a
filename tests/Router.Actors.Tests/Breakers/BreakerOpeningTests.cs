using Router.Contracts.Messages;

namespace Router.Actors.Tests.Breakers;

public sealed class BreakerOpeningTests(ITestOutputHelper output) : BreakerTestKit(output)
{
    [Fact]
    public void A_closed_breaker_permits()
    {
        var reply = AskPermit();

        Assert.Equal(new ProviderBreaker.Permit(DeploymentId), reply);
    }

    [Fact]
    public void Fewer_consecutive_failures_than_the_threshold_keep_it_closed()
    {
        Fail(Settings.ConsecutiveFailuresToOpen - 1);

        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
    }

    [Fact]
    public void The_threshold_of_consecutive_provider_failures_opens_it_and_it_refuses()
    {
        Fail(Settings.ConsecutiveFailuresToOpen);

        var refused = Assert.IsType<ProviderBreaker.Refused>(AskPermit());
        Assert.Equal(DeploymentId, refused.DeploymentId);
        Assert.Equal(Settings.Cooldown, refused.RetryAfter);
    }

    [Fact]
    public void RetryAfter_is_what_remains_of_the_cooldown()
    {
        Fail(Settings.ConsecutiveFailuresToOpen);
        Assert.IsType<ProviderBreaker.Refused>(AskPermit()); // the breaker has opened before the clock moves

        Clock.Advance(TimeSpan.FromSeconds(10));

        var refused = Assert.IsType<ProviderBreaker.Refused>(AskPermit());
        Assert.Equal(TimeSpan.FromSeconds(20), refused.RetryAfter);
    }

    [Fact]
    public void An_open_breaker_refuses_every_request_until_the_cooldown_ends()
    {
        Fail(Settings.ConsecutiveFailuresToOpen);

        for (var i = 0; i < 5; i++) Assert.IsType<ProviderBreaker.Refused>(AskPermit());
        Clock.Advance(Settings.Cooldown - TimeSpan.FromMilliseconds(1));
        Assert.IsType<ProviderBreaker.Refused>(AskPermit());
    }

    [Fact]
    public void A_caller_side_outcome_resets_the_failure_count()
    {
        Fail(Settings.ConsecutiveFailuresToOpen - 1);
        Succeed();
        Fail(Settings.ConsecutiveFailuresToOpen - 1);

        Assert.IsType<ProviderBreaker.Permit>(AskPermit());
        Assert.Equal(Settings.ConsecutiveFailuresToOpen - 1, State().ConsecutiveFailures);

        Fail();
        Assert.IsType<ProviderBreaker.Refused>(AskPermit());
    }
}
