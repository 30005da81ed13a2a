using Router.Actors.KeyBudgets;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>
/// <see cref="TimedLog{T}"/>, the rate window's storage: runs share one append-only array, and a run a caller still
/// holds keeps its values whatever is added to or taken from the runs made after it.
/// </summary>
public sealed class TimedLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static TimedLog<long> Of(params long[] values) =>
        values.Aggregate(default(TimedLog<long>), (log, v) => log.With(T0.AddSeconds(v), v));

    private static long[] Values(TimedLog<long> log)
    {
        var values = new List<long>();
        for (; !log.IsEmpty; log = log.WithoutOldest()) values.Add(log.Oldest.Value);
        return [.. values];
    }

    [Fact]
    public void Values_come_out_oldest_first_across_growth()
    {
        var log = Of([.. Enumerable.Range(1, 100).Select(i => (long)i)]);

        Assert.Equal(100, log.Count);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), Values(log));
        Assert.Equal(T0.AddSeconds(1), log.Oldest.At);
    }

    [Fact]
    public void An_older_run_keeps_its_values_when_a_newer_one_adds_and_it_adds_its_own()
    {
        var older = Of(1, 2, 3);
        var newer = older.With(T0.AddSeconds(4), 4).WithoutOldest();

        var branch = older.With(T0.AddSeconds(9), 9);   // the slot after 3 is the newer run's 4: the branch copies

        Assert.Equal([1, 2, 3], Values(older));
        Assert.Equal([2, 3, 4], Values(newer));
        Assert.Equal([1, 2, 3, 9], Values(branch));
        Assert.Equal([2, 3, 4, 5], Values(newer.With(T0.AddSeconds(5), 5)));
    }

    [Fact]
    public void Taking_from_the_front_and_adding_at_the_back_for_long_keeps_only_what_is_live()
    {
        var log = default(TimedLog<long>);
        for (var i = 0; i < 10_000; i++)
        {
            log = log.With(T0.AddSeconds(i), i);
            if (log.Count > 5) log = log.WithoutOldest();
        }

        Assert.Equal([9_995, 9_996, 9_997, 9_998, 9_999], Values(log));
    }
}
