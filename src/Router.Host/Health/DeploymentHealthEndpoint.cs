using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Configuration;
using Router.Host.Keys;
using Router.Host.Pricing;

namespace Router.Host.Health;

/// <summary>
/// <c>GET /health/deployments</c> (master key): each deployment's circuit, failure counts, latency and
/// calls in flight on this node, as the breakers last published them, and whether its calls have a price.
/// It names the configuration, so it is not for every key.
/// </summary>
public static class DeploymentHealthEndpoint
{
    public static Task HandleAsync(HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin, LiveConfig config, DeploymentBoard board) =>
        MasterOnly.RunAsync(context, authenticator, admin, "GET /health/deployments", async ct =>
        {
            var cards = All(config.Current, board);
            await context.Response.WriteAsJsonAsync(new DeploymentHealthList(cards), WireJsonContext.Wire.DeploymentHealthList,
                contentType: null, ct);
        });

    /// <summary>Every deployment's card, in route-table order (also what the dashboard shows).</summary>
    public static List<DeploymentHealthCard> All(RoutingConfig config, DeploymentBoard board) =>
        config.Routes.Groups.SelectMany(group => group.Deployments.SelectMany(d => Cards(d, group, board, config.Costs))).ToList();

    /// <summary>A deployment, and for a pattern also the circuit of each model used behind it (<c>id&gt;model</c>).</summary>
    public static IEnumerable<DeploymentHealthCard> Cards(Deployment deployment, DeploymentGroup group, DeploymentBoard board, CostEstimator costs)
    {
        yield return Card(deployment.Id, deployment, group, board, costs);
        if (!deployment.IsPattern) yield break;
        foreach (var circuit in board.All.Where(s => s.DeploymentId.StartsWith(deployment.Id + ">", StringComparison.Ordinal)).OrderBy(s => s.DeploymentId))
            yield return Card(circuit.DeploymentId, deployment, group, board, costs);
    }

    public static DeploymentHealthCard Card(string circuit, Deployment deployment, DeploymentGroup group, DeploymentBoard board, CostEstimator costs)
    {
        var health = board.Health(circuit);
        // A circuit behind a pattern is named after the upstream model it serves: deployment-id>model.
        var behindPattern = circuit.Length > deployment.Id.Length ? circuit[(deployment.Id.Length + 1)..] : null;
        return new DeploymentHealthCard(
            circuit, deployment.ModelName, deployment.ProviderName, deployment.Weight, StrategyName(group.Policy.Strategy),
            health.Circuit switch { CircuitState.Open => "open", CircuitState.HalfOpen => "half_open", _ => "closed" },
            health.Circuit == CircuitState.Open ? health.OpenUntil : null,
            health.ConsecutiveFailures, health.CallsInWindow, Math.Round(health.FailureRate, 3), Math.Round(health.LatencyEwmaMs, 1),
            board.InFlight(circuit), costs.IsPriced(deployment, behindPattern));
    }

    private static string StrategyName(BalancingStrategy? strategy) => strategy switch
    {
        BalancingStrategy.LeastInFlight => "least-in-flight",
        BalancingStrategy.LowestLatency => "lowest-latency",
        _ => "weighted-round-robin",
    };
}
