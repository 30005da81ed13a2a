using Router.Actors.Routing;

namespace Router.Actors.Tests.Routing;

public sealed class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(2);

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }

    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(4, 800)]
    [InlineData(5, 1600)]
    public void The_delay_lies_between_half_the_step_and_the_full_step(int retry, double stepMs)
    {
        var random = new Random(retry);

        for (var i = 0; i < 200; i++)
            Assert.InRange(Backoff.Delay(retry, Base, Max, random).TotalMilliseconds, stepMs / 2, stepMs);
    }

    [Fact]
    public void The_step_doubles_with_each_retry()
    {
        var random = new FixedRandom(0.5);

        var delays = Enumerable.Range(1, 4).Select(r => Backoff.Delay(r, Base, Max, random).TotalMilliseconds).ToList();

        Assert.Equal([75, 150, 300, 600], delays);
    }

    [Theory]
    [InlineData(0.0, 50)]
    [InlineData(0.999999, 100)]
    public void The_jitter_spans_the_upper_half_of_the_step(double draw, double expectedMs) =>
        Assert.Equal(expectedMs, Backoff.Delay(1, Base, Max, new FixedRandom(draw)).TotalMilliseconds, 0);

    [Theory]
    [InlineData(6)]
    [InlineData(10)]
    [InlineData(60)]
    public void The_step_is_capped_by_the_max_delay(int retry)
    {
        var random = new Random(42);

        for (var i = 0; i < 200; i++)
            Assert.InRange(Backoff.Delay(retry, Base, Max, random), Max / 2, Max);
    }

    [Fact]
    public void The_same_seed_gives_the_same_delays()
    {
        var first = new Random(7);
        var second = new Random(7);

        Assert.Equal(
            Enumerable.Range(1, 6).Select(r => Backoff.Delay(r, Base, Max, first)),
            Enumerable.Range(1, 6).Select(r => Backoff.Delay(r, Base, Max, second)));
    }
}
