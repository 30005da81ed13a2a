using Router.Actors.Routing;

namespace Router.Actors.Tests.Routing;

public sealed class SmoothWeightedRoundRobinTests
{
    private static readonly Deployment Heavy = new("p:heavy", "m", "p", null) { Weight = 3 };
    private static readonly Deployment Light = new("q:light", "m", "q", null) { Weight = 1 };

    [Fact]
    public void Weights_of_3_to_1_give_exactly_3_to_1_over_400_picks()
    {
        var rotation = new SmoothWeightedRoundRobin();

        var picks = Enumerable.Range(0, 400).Select(_ => rotation.Next([Heavy, Light])).ToList();

        Assert.Equal(300, picks.Count(d => d == Heavy));
        Assert.Equal(100, picks.Count(d => d == Light));
    }

    [Fact]
    public void The_heavy_deployment_is_interleaved_never_more_than_3_in_a_row()
    {
        var rotation = new SmoothWeightedRoundRobin();

        var picks = Enumerable.Range(0, 400).Select(_ => rotation.Next([Heavy, Light])).ToList();

        var longestRun = 0;
        var run = 0;
        foreach (var pick in picks)
        {
            run = pick == Heavy ? run + 1 : 0;
            longestRun = Math.Max(longestRun, run);
        }
        Assert.InRange(longestRun, 1, 3);
    }

    [Fact]
    public void Equal_weights_alternate()
    {
        var a = new Deployment("a:m", "m", "a", null);
        var b = new Deployment("b:m", "m", "b", null);
        var rotation = new SmoothWeightedRoundRobin();

        var picks = Enumerable.Range(0, 6).Select(_ => rotation.Next([a, b]).Id).ToList();

        Assert.Equal(["a:m", "b:m", "a:m", "b:m", "a:m", "b:m"], picks);
    }
}
