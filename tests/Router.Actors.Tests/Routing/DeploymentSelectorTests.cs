using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Tests.Shared;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;

namespace Router.Actors.Tests.Routing;

public sealed class DeploymentSelectorTests
{
    private readonly DeploymentBoard _board = new();
    private readonly ManualClock _clock = new();

    private DeploymentSelector Selector() => new(_board, _clock);

    private static RouteMatch MatchOf(BalancingStrategy strategy, string requested, params Deployment[] deployments) =>
        new(new DeploymentGroup(deployments[0].ModelName, deployments, RoutingPolicy.Standard with { Strategy = strategy }), requested);

    private static Deployment Exact(string provider, int weight = 1) => new($"{provider}:m", "m", provider, null) { Weight = weight };

    private void Open(string circuit, TimeSpan duration) =>
        _board.Publish(new ProviderBreaker.State(circuit, CircuitState.Open, 5, 0, OpenUntil: _clock.GetUtcNow() + duration));

    private void Latency(string circuit, double ms) =>
        _board.Publish(new ProviderBreaker.State(circuit, CircuitState.Closed, 0, ms));

    [Fact]
    public void A_single_deployment_is_returned_as_is()
    {
        var only = Exact("a");
        var match = MatchOf(BalancingStrategy.WeightedRoundRobin, "m", only);
        Open(only.Id, TimeSpan.FromMinutes(1));

        Assert.Same(match.Group.Deployments, Selector().Order(match));
    }

    [Fact]
    public void Weighted_round_robin_puts_the_heavy_deployment_first_3_times_in_4()
    {
        var heavy = Exact("a", weight: 3);
        var light = Exact("b");
        var match = MatchOf(BalancingStrategy.WeightedRoundRobin, "m", heavy, light);
        var selector = Selector();

        var orders = Enumerable.Range(0, 400).Select(_ => selector.Order(match)).ToList();

        Assert.Equal(300, orders.Count(o => o[0] == heavy));
        Assert.All(orders, o => Assert.Equal(2, o.Count));
    }

    [Fact]
    public void Every_order_holds_each_deployment_once_with_the_heaviest_after_the_first()
    {
        var a = Exact("a");
        var b = Exact("b", weight: 5);
        var c = Exact("c", weight: 2);
        var match = MatchOf(BalancingStrategy.WeightedRoundRobin, "m", a, b, c);
        var selector = Selector();

        foreach (var order in Enumerable.Range(0, 16).Select(_ => selector.Order(match)))
        {
            Assert.Equal(["a:m", "b:m", "c:m"], order.Select(d => d.Id).Order(StringComparer.Ordinal));
            Assert.Equal(order.Skip(1).Select(d => d.Weight).OrderDescending(), order.Skip(1).Select(d => d.Weight));
        }
    }

    [Theory]
    [InlineData(BalancingStrategy.WeightedRoundRobin)]
    [InlineData(BalancingStrategy.LeastInFlight)]
    [InlineData(BalancingStrategy.LowestLatency)]
    public void An_open_deployment_is_last_and_first_again_once_its_open_until_passed(BalancingStrategy strategy)
    {
        var a = Exact("a", weight: 10);
        var b = Exact("b");
        var match = MatchOf(strategy, "m", a, b);
        var selector = Selector();
        using var busy = _board.Enter(b.Id);
        Latency(b.Id, 100);
        Open(a.Id, TimeSpan.FromSeconds(30));

        for (var i = 0; i < 5; i++) Assert.Equal([b, a], selector.Order(match));

        _clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal([a, b], selector.Order(match));
    }

    [Fact]
    public void A_half_open_deployment_is_not_held_back()
    {
        var a = Exact("a");
        var b = Exact("b");
        var match = MatchOf(BalancingStrategy.LowestLatency, "m", a, b);
        _board.Publish(new ProviderBreaker.State(a.Id, CircuitState.HalfOpen, 5, 0, OpenUntil: _clock.GetUtcNow() + TimeSpan.FromMinutes(1)));
        Latency(b.Id, 50);

        Assert.Equal([a, b], Selector().Order(match));
    }

    [Fact]
    public void Least_in_flight_puts_the_deployment_with_fewer_calls_in_flight_first()
    {
        var a = Exact("a");
        var b = Exact("b");
        var c = Exact("c");
        var match = MatchOf(BalancingStrategy.LeastInFlight, "m", a, b, c);
        using var a1 = _board.Enter(a.Id);
        using var a2 = _board.Enter(a.Id);
        using var c1 = _board.Enter(c.Id);

        Assert.Equal([b, c, a], Selector().Order(match));
    }

    [Fact]
    public void Least_in_flight_follows_scopes_as_they_end()
    {
        var a = Exact("a");
        var b = Exact("b");
        var match = MatchOf(BalancingStrategy.LeastInFlight, "m", a, b);
        var selector = Selector();
        var a1 = _board.Enter(a.Id);
        using var b1 = _board.Enter(b.Id);
        using var b2 = _board.Enter(b.Id);
        Assert.Equal([a, b], selector.Order(match));

        using var a2 = _board.Enter(a.Id);
        using var a3 = _board.Enter(a.Id);

        Assert.Equal([b, a], selector.Order(match));

        a1.Dispose();
        a2.Dispose();

        Assert.Equal([a, b], selector.Order(match));
    }

    [Fact]
    public void Lowest_latency_puts_an_untried_deployment_first_then_the_lowest_average()
    {
        var slow = Exact("slow");
        var fast = Exact("fast");
        var untried = Exact("new");
        var match = MatchOf(BalancingStrategy.LowestLatency, "m", slow, fast, untried);
        Latency(slow.Id, 900);
        Latency(fast.Id, 120);

        Assert.Equal([untried, fast, slow], Selector().Order(match));
    }

    [Fact]
    public void An_open_circuit_of_one_model_behind_a_pattern_does_not_move_another_models_deployment()
    {
        var first = new Deployment("a:gpt-*", "gpt-*", "a", null);
        var second = new Deployment("b:gpt-*", "gpt-*", "b", null);
        var group = new DeploymentGroup("gpt-*", [first, second], RoutingPolicy.Standard);
        var limited = new RouteMatch(group, "gpt-4o");
        var other = new RouteMatch(group, "gpt-4o-mini");
        var selector = Selector();
        Open("a:gpt-*>gpt-4o", TimeSpan.FromMinutes(1));

        var limitedOrders = Enumerable.Range(0, 4).Select(_ => selector.Order(limited)).ToList();
        var otherOrders = Enumerable.Range(0, 4).Select(_ => selector.Order(other)).ToList();

        Assert.All(limitedOrders, o => Assert.Equal([second, first], o));
        Assert.Equal(2, otherOrders.Count(o => o[0] == first));
    }

    [Fact]
    public void Per_model_latency_behind_a_pattern_orders_each_model_on_its_own()
    {
        var first = new Deployment("a:gpt-*", "gpt-*", "a", null);
        var second = new Deployment("b:gpt-*", "gpt-*", "b", null);
        var group = new DeploymentGroup("gpt-*", [first, second], RoutingPolicy.Standard with { Strategy = BalancingStrategy.LowestLatency });
        Latency("a:gpt-*>gpt-4o", 100);
        Latency("b:gpt-*>gpt-4o", 500);
        Latency("a:gpt-*>gpt-4o-mini", 800);
        Latency("b:gpt-*>gpt-4o-mini", 200);
        var selector = Selector();

        Assert.Equal([first, second], selector.Order(new RouteMatch(group, "gpt-4o")));
        Assert.Equal([second, first], selector.Order(new RouteMatch(group, "gpt-4o-mini")));
    }
}
