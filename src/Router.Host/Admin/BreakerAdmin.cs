using Akka.Actor;
using Akka.Hosting;
using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Configuration;
using Router.Host.Health;
using Router.Host.Keys;

namespace Router.Host.Admin;

/// <summary>
/// This node's circuit breakers: listed as <c>/health/deployments</c> lists them, and tripped or reset by
/// hand. Breakers are per node (each node judges the providers by its own calls), so a change here
/// applies to the answering node only; the other node's breaker is changed through that node.
/// </summary>
public sealed class BreakerAdmin(AdminNode node, LiveConfig config, DeploymentBoard board, ActorRegistry registry, RouterSettings settings)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public BreakerListView List()
    {
        return new BreakerListView(node.Name, DeploymentHealthEndpoint.All(config.Current, board));
    }

    /// <param name="span">How long the circuit stays open; null: the breaker's cooldown (<c>router.breaker.cooldown</c>).</param>
    public Task<BreakerActionResult> TripAsync(string circuit, TimeSpan? span, CancellationToken ct) =>
        ChangeAsync(circuit, "trip", new ProviderBreaker.Trip(circuit, span ?? settings.Breaker.Cooldown), ct);

    public Task<BreakerActionResult> ResetAsync(string circuit, CancellationToken ct) =>
        ChangeAsync(circuit, "reset", new ProviderBreaker.Reset(circuit), ct);

    private async Task<BreakerActionResult> ChangeAsync(string circuit, string action, object message, CancellationToken ct)
    {
        var (deployment, group) = Find(circuit);
        try
        {
            // The breaker publishes to the board before it answers, so the card below shows the change.
            await registry.Get<ProviderBreakersActor>().Ask<ProviderBreaker.State>(message, AskTimeout, ct);
        }
        catch (AskTimeoutException)
        {
            throw AdminErrors.NoAnswer($"The breaker of {circuit}");
        }
        return new BreakerActionResult(node.Name, action, DeploymentHealthEndpoint.Card(circuit, deployment, group, board, config.Current.Costs));
    }

    /// <summary>
    /// A deployment of the route table in force, or a circuit behind a pattern deployment (<c>id&gt;model</c>)
    /// that has served calls: a breaker is never made up for a name nothing routes to.
    /// </summary>
    private (Deployment Deployment, DeploymentGroup Group) Find(string circuit)
    {
        foreach (var group in config.Current.Routes.Groups)
            foreach (var deployment in group.Deployments)
            {
                if (deployment.Id == circuit) return (deployment, group);
                if (deployment.IsPattern && circuit.StartsWith(deployment.Id + ">", StringComparison.Ordinal)
                    && board.All.Any(s => s.DeploymentId == circuit))
                    return (deployment, group);
            }
        throw AdminErrors.NotFound($"No deployment '{circuit}' is routed by this node; `router breakers list` shows the ids.",
            "deployment_not_found", "deployment");
    }

    public static TimeSpan? ParseSpan(string? text) =>
        text is null ? null
        : Durations.TryParse(text, out var span) ? span
        : throw AdminBody.Bad("for", "'for' must be a duration such as 30s, 5m or 2h.");
}
