using Router.Actors.Routing;
using Router.Tests.Shared;

namespace Router.Actors.Tests.Routing;

public sealed class RetryBudgetsTests
{
    private readonly RetryBudgets _budgets = new(new ManualClock());

    [Fact]
    public void A_model_keeps_its_budget_while_the_retry_settings_stay_the_same()
    {
        var budget = _budgets.For("gpt-4o", 0.2, 1);
        for (var i = 0; i < 20; i++) Assert.True(budget.TryRetry());

        Assert.Same(budget, _budgets.For("gpt-4o", 0.2, 1));
        Assert.False(_budgets.For("gpt-4o", 0.2, 1).TryRetry()); // what it spent stays spent
    }

    [Fact]
    public void A_reload_that_changes_the_retry_settings_gives_the_model_a_budget_under_the_new_ones()
    {
        var before = _budgets.For("gpt-4o", 0.2, 1);

        var after = _budgets.For("gpt-4o", 0.5, 1);

        Assert.NotSame(before, after);
        Assert.Equal((0.5, 1.0), (after.Ratio, after.MinPerSecond));
        Assert.NotSame(after, _budgets.For("gpt-4o", 0.5, 2));
    }

    [Fact]
    public void Each_model_has_its_own_budget() =>
        Assert.NotSame(_budgets.For("gpt-4o", 0.2, 1), _budgets.For("claude-sonnet-4", 0.2, 1));
}
