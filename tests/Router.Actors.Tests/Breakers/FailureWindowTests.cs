using Router.Actors.Breakers;

namespace Router.Actors.Tests.Breakers;

public sealed class FailureWindowTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_empty_window_has_no_calls_and_no_failure_rate()
    {
        var window = new FailureWindow(TimeSpan.FromSeconds(60));
        window.Roll(T0);

        Assert.Equal(0, window.Calls);
        Assert.Equal(0, window.FailureRate);
    }

    [Fact]
    public void It_counts_calls_and_failures()
    {
        var window = new FailureWindow(TimeSpan.FromSeconds(60));

        window.Record(failed: true, T0);
        window.Record(failed: false, T0.AddSeconds(1));
        window.Record(failed: false, T0.AddSeconds(20));
        window.Record(failed: true, T0.AddSeconds(40));

        Assert.Equal((4, 2, 0.5), (window.Calls, window.Failures, window.FailureRate));
    }

    [Fact]
    public void Buckets_leave_one_by_one_as_time_passes()
    {
        var window = new FailureWindow(TimeSpan.FromSeconds(60), buckets: 10); // 6 s buckets
        window.Record(failed: true, T0);
        window.Record(failed: false, T0.AddSeconds(12));
        window.Record(failed: false, T0.AddSeconds(30));

        window.Roll(T0.AddSeconds(59));
        Assert.Equal(3, window.Calls);
        window.Roll(T0.AddSeconds(60));
        Assert.Equal((2, 0), (window.Calls, window.Failures));
        window.Roll(T0.AddSeconds(72));
        Assert.Equal(1, window.Calls);
        window.Roll(T0.AddSeconds(90));
        Assert.Equal(0, window.Calls);
    }

    [Fact]
    public void A_long_silence_empties_the_window()
    {
        var window = new FailureWindow(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 10; i++) window.Record(failed: i % 2 == 0, T0.AddSeconds(i * 6));

        window.Record(failed: false, T0.AddDays(3));

        Assert.Equal((1, 0), (window.Calls, window.Failures));
    }

    [Fact]
    public void A_clock_stepping_back_keeps_counting_in_the_current_bucket()
    {
        var window = new FailureWindow(TimeSpan.FromSeconds(60));
        window.Record(failed: true, T0.AddSeconds(30));

        window.Record(failed: false, T0);

        Assert.Equal(2, window.Calls);
        window.Roll(T0.AddSeconds(90));
        Assert.Equal(0, window.Calls);
    }

    [Fact]
    public void Clear_forgets_everything()
    {
        var window = new FailureWindow(TimeSpan.FromSeconds(60));
        window.Record(failed: true, T0);
        window.Record(failed: false, T0);

        window.Clear();

        Assert.Equal((0, 0, 0.0), (window.Calls, window.Failures, window.FailureRate));
    }
}
