using Router.Actors.Breakers;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Configuration;
using Router.Host.Health;
using Router.Host.Ingress;
using Router.Host.Pricing;
using Router.Host.Providers;
using Router.Host.RequestLog;

namespace Router.Host.Dashboard;

/// <summary>One deployment a model's requests may go to, with its circuit as <c>/health/deployments</c> shows it.</summary>
/// <param name="ContextWindow">The largest prompt it takes: its <c>max-input-tokens</c>, else the price table's; null when unknown.</param>
/// <param name="Price">Its price for this model name; null when it has none (unpriced).</param>
public sealed record ModelDeploymentView(DeploymentHealthCard Card, string UpstreamModel, int? ContextWindow, ModelPrice? Price);

/// <summary>A name a client can send, the route that takes it, its deployments and its last hour in the request log.</summary>
/// <param name="Route">The route entry's name: the model's own, or the pattern (<c>ollama/*</c>) it falls under.</param>
/// <param name="LastHour">Its requests, errors and median latency over the last hour; null when it had none.</param>
public sealed record ModelView(string Name, string Route, IReadOnlyList<ModelDeploymentView> Deployments, SpendReportRow? LastHour);

/// <summary>
/// What the dashboard's models page shows. The names are <see cref="ListedModels"/>' (what <c>/v1/models</c> lists
/// to the master key), the circuits <see cref="DeploymentHealthEndpoint"/>'s, prices and context windows those
/// requests are priced and checked with, and the numbers the request log's report per model gives for the last hour.
/// </summary>
public sealed class ModelsView(LiveConfig live, DiscoveredModels discovered, DeploymentBoard board, ModelCatalog catalog, RequestLogQuery log, TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    public IReadOnlyList<ModelView> Build()
    {
        var config = live.Current;
        var providers = config.Settings.Providers.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var prices = new CostCalculator(catalog, config.Settings.Prices);
        // One grouped read over the last hour's rows (the time index bounds it), rather than one per model.
        var lastHour = log.Report("model", clock.GetUtcNow() - Window, null)
            .Where(r => r.Group is not null)
            .ToDictionary(r => r.Group!, StringComparer.Ordinal);
        var models = new List<ModelView>();
        foreach (var listed in ListedModels.For(config.Routes, discovered, _ => true))
        {
            // Listed names resolve by construction; the match gives every deployment the route may send the name to.
            if (config.Routes.Resolve(listed.Name) is not { } match) continue;
            var deployments = match.Group.Deployments.Select(deployment =>
            {
                var upstream = match.UpstreamModelFor(deployment);
                return new ModelDeploymentView(
                    DeploymentHealthEndpoint.Card(match.CircuitOf(deployment), deployment, match.Group, board, config.Costs),
                    upstream,
                    config.ContextWindows.LimitOf(deployment, upstream),
                    prices.PriceOf(providers[deployment.ProviderName], listed.Name, upstream));
            }).ToList();
            models.Add(new ModelView(listed.Name, match.Group.ModelName, deployments, lastHour.GetValueOrDefault(listed.Name)));
        }
        return models;
    }
}
