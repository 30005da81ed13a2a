using System.Collections.Concurrent;
using Router.Actors.Breakers;
using Router.Contracts.Configuration;

namespace Router.Actors.Routing;

/// <summary>
/// Orders a model's deployments for one request by the model's strategy: the first is tried first,
/// the rest are where retries go. Deployments whose circuit is open come last, so a failing one is
/// skipped without costing an attempt. Reads the <see cref="DeploymentBoard"/>; asks no actor.
/// </summary>
public sealed class DeploymentSelector(DeploymentBoard board, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, SmoothWeightedRoundRobin> _rotations = new(StringComparer.Ordinal);

    public IReadOnlyList<Deployment> Order(RouteMatch match)
    {
        var deployments = match.Group.Deployments;
        return deployments.Count == 1 ? deployments : OrderSeveral(match);
    }

    // Apart from Order: a closure is made where the method that declares what it captures starts, so one-deployment models
    // would pay for these on every request.
    private List<Deployment> OrderSeveral(RouteMatch match)
    {
        var group = match.Group;
        var deployments = group.Deployments;
        var now = clock.GetUtcNow();
        var open = deployments.Where(d => board.Health(match.CircuitOf(d)).RefusesAt(now)).ToList();
        var available = deployments.Where(d => !open.Contains(d)).ToList();
        var ordered = group.Policy.Strategy switch
        {
            BalancingStrategy.LeastInFlight => LeastFirst(group, available, d => board.InFlight(match.CircuitOf(d))),
            // Untried first, to learn their latency.
            BalancingStrategy.LowestLatency => LeastFirst(group, available,
                d => board.Health(match.CircuitOf(d)).LatencyEwmaMs is var ms && ms > 0 ? ms : double.MinValue),
            _ => WeightedFirst(group, available),
        };
        ordered.AddRange(open);
        return ordered;
    }

    /// <summary>
    /// The deployments by a measure, lowest first. Ties (all idle, all untried) take turns by weight, so
    /// requests arriving together spread instead of all seeing the same idle deployment.
    /// </summary>
    private List<Deployment> LeastFirst(DeploymentGroup group, List<Deployment> available, Func<Deployment, double> measure)
    {
        if (available.Count <= 1) return available;
        var lowest = available.Min(measure);
        var tied = available.Where(d => measure(d) == lowest).ToList();
        var first = tied.Count == 1 ? tied[0] : _rotations.GetOrAdd(group.ModelName, _ => new SmoothWeightedRoundRobin()).Next(tied);
        return [first, .. available.Where(d => d != first).OrderBy(measure)];
    }

    private List<Deployment> WeightedFirst(DeploymentGroup group, List<Deployment> available)
    {
        if (available.Count <= 1) return available;
        var rotation = _rotations.GetOrAdd(group.ModelName, _ => new SmoothWeightedRoundRobin());
        var first = rotation.Next(available);
        // After the chosen one, the heaviest next: where a retry most likely finds capacity.
        return [first, .. available.Where(d => d != first).OrderByDescending(d => d.Weight)];
    }
}
