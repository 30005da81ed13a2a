using Router.Actors.KeyBudgets;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>
/// <see cref="TimedLog{T}"/>, the rate window's storage: amounts close in time are one entry, runs share one append-only
/// array, and a run a caller still holds keeps its values whatever is added to or taken from the runs made after it.
/// </summary>
public sealed class TimedLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static TimedLog<long> Of(params long[] values) =>
        values.Aggregate(default(TimedLog<long>), (log, v) => log.With(T0.AddSeconds(v), v));

    private static long[] Values(TimedLog<long> log)
    {
        var values = new List<long>();
        for (; !log.IsEmpty; log = log.WithoutOldest()) values.Add(log.Oldest.Amount);
        return [.. values];
    }

    [Fact]
    public void Values_come_out_oldest_first_across_growth()
    {
        var log = Of([.. Enumerable.Range(1, 100).Select(i => (long)i)]);

        Assert.Equal(100, log.Entries);
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
            if (log.Entries > 5) log = log.WithoutOldest();
        }

        Assert.Equal([9_995, 9_996, 9_997, 9_998, 9_999], Values(log));
    }

    [Fact]
    public void Amounts_within_a_tenth_of_a_second_are_one_entry_timed_at_the_latest()
    {
        var log = default(TimedLog<long>).With(T0, 1).With(T0.AddMilliseconds(60), 2).With(T0.AddMilliseconds(99), 3);
        var next = log.With(T0.AddMilliseconds(200), 4);

        Assert.Equal(1, log.Entries);
        Assert.Equal((T0.AddMilliseconds(99), 6L), log.Oldest);
        Assert.Equal([6, 4], Values(next));
        Assert.Equal(T0.AddMilliseconds(200), next.WithoutOldest().Oldest.At);
    }

    [Fact]
    public void A_minute_at_ten_thousand_a_second_holds_a_bounded_number_of_entries()
    {
        var log = default(TimedLog<long>);
        for (var i = 0; i < 600_000; i++)
        {
            var at = T0.AddTicks(i * TimeSpan.TicksPerMillisecond / 10);
            log = log.With(at, 1);
            while (at - log.Oldest.At >= TimeSpan.FromMinutes(1)) log = log.WithoutOldest();
        }

        Assert.InRange(log.Entries, 590, 601);
        Assert.Equal(600_000, Values(log).Sum());
    }

    [Fact]
    public void An_older_run_keeps_its_newest_amount_when_a_newer_run_merges_into_it()
    {
        var older = Of(1, 2);
        var newer = older.With(T0.AddSeconds(2).AddMilliseconds(50), 10);

        Assert.Equal([1, 2], Values(older));
        Assert.Equal([1, 12], Values(newer));
        Assert.Equal([1, 2, 7], Values(older.With(T0.AddSeconds(7), 7)));
    }
}
