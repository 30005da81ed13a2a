using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary><see cref="UnwrittenUsage"/>: settlements summed in place until a write takes them whole.</summary>
public sealed class UnwrittenUsageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    private static KeyBudget.UsageRecorded Used(long prompt, long completion, decimal cost, DateTimeOffset at, bool estimated = false) =>
        new(1, prompt, completion, cost, at, EstimatedCost: estimated ? cost : 0);

    [Fact]
    public void A_write_takes_the_sums_the_latest_time_and_the_ids_in_order_and_leaves_nothing_unwritten()
    {
        var unwritten = new UnwrittenUsage();
        unwritten.Add(Used(10, 5, 0.25m, T0), "r1");
        unwritten.Add(Used(3, 2, 0.5m, T0.AddSeconds(1), estimated: true), "r2");

        Assert.Equal((2L, T0.AddSeconds(1)), (unwritten.Requests, unwritten.LastAt));
        Assert.Equal(new KeyBudget.UsageRecorded(2, 13, 7, 0.75m, EstimatedCost: 0.5m), unwritten.Sums);

        var taken = unwritten.Take();

        Assert.Equal((2L, 13L, 7L, 0.75m, 0.5m, T0.AddSeconds(1)),
            (taken.Requests, taken.PromptTokens, taken.CompletionTokens, taken.Cost, taken.EstimatedCost, taken.At));
        Assert.Equal(["r1", "r2"], taken.RequestIds!);
        Assert.Equal(0, unwritten.Requests);
        Assert.Equal(KeyUsage.None, unwritten.Sums);
    }

    [Fact]
    public void What_is_added_after_a_write_is_not_added_to_the_write_taken()
    {
        var unwritten = new UnwrittenUsage();
        unwritten.Add(Used(1, 1, 0.1m, T0), "r1");
        var taken = unwritten.Take();

        unwritten.Add(Used(2, 2, 0.2m, T0.AddSeconds(1)), "r2");

        Assert.Equal(["r1"], taken.RequestIds!);
        Assert.Equal(1, taken.Requests);
        Assert.Equal(["r2"], unwritten.Take().RequestIds!);
    }

    [Fact]
    public void Usage_without_its_time_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new UnwrittenUsage().Add(new KeyBudget.UsageRecorded(1, 1, 1), "r1"));
    }
}
