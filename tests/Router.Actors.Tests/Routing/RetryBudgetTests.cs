using Router.Actors.Routing;
using Router.Tests.Shared;

namespace Router.Actors.Tests.Routing;

public sealed class RetryBudgetTests
{
    private readonly ManualClock _clock = new();

    private static int Retries(RetryBudget budget, int tries = 100) =>
        Enumerable.Range(0, tries).Count(_ => budget.TryRetry());

    [Fact]
    public void A_new_budget_allows_a_burst_of_20_retries()
    {
        var budget = new RetryBudget(0.2, 0, _clock);

        Assert.Equal(20, Retries(budget));
    }

    [Fact]
    public void With_ratio_0_2_and_no_refill_10_requests_allow_2_retries()
    {
        var budget = new RetryBudget(0.2, 0, _clock);
        Retries(budget);

        for (var i = 0; i < 10; i++) budget.RecordRequest();

        Assert.Equal(2, Retries(budget));
    }

    [Fact]
    public void With_ratio_0_1_and_no_refill_100_requests_allow_10_retries()
    {
        var budget = new RetryBudget(0.1, 0, _clock);
        Retries(budget);

        for (var i = 0; i < 100; i++) budget.RecordRequest();

        Assert.Equal(10, Retries(budget));
    }

    [Fact]
    public void Fewer_requests_than_one_token_allow_no_retry()
    {
        var budget = new RetryBudget(0.2, 0, _clock);
        Retries(budget);

        for (var i = 0; i < 4; i++) budget.RecordRequest();

        Assert.False(budget.TryRetry());
    }

    [Fact]
    public void Min_per_second_refills_as_time_passes()
    {
        var budget = new RetryBudget(0, 5, _clock);
        Retries(budget);
        Assert.False(budget.TryRetry());

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(5, Retries(budget));

        _clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, Retries(budget));
    }

    [Fact]
    public void Without_time_passing_min_per_second_adds_nothing()
    {
        var budget = new RetryBudget(0, 5, _clock);
        Retries(budget);

        Assert.Equal(0, Retries(budget));
    }

    [Fact]
    public void Requests_never_fill_the_budget_beyond_its_capacity()
    {
        var budget = new RetryBudget(1, 0, _clock);

        for (var i = 0; i < 1000; i++) budget.RecordRequest();

        Assert.Equal(20, Retries(budget));
    }

    [Fact]
    public void A_long_quiet_spell_never_fills_the_budget_beyond_its_capacity()
    {
        var budget = new RetryBudget(0, 5, _clock);
        Retries(budget);

        _clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(20, Retries(budget));
    }
}
