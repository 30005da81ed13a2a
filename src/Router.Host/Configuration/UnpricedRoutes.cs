using Router.Actors.Routing;
using Router.Contracts.Configuration;

namespace Router.Host.Configuration;

/// <summary>
/// The routes whose calls have no price, said once when a configuration comes into force (at start, on a reload):
/// their cost would count as 0, so an operator must know before a key's budget meets them. Patterns are not listed:
/// each model behind one is priced on its own, and refused to a key with a budget when it has none.
/// </summary>
public static class UnpricedRoutes
{
    public static IReadOnlyList<Deployment> Find(RoutingConfig config) =>
        config.Routes.Deployments.Where(d => config.Costs.IsPriced(d) == false).ToList();

    public static void Warn(ILogger logger, RoutingConfig config)
    {
        var unpriced = Find(config);
        if (unpriced.Count == 0) return;
        var consequence = config.Settings.Unpriced == UnpricedModels.Free
            ? "they cost 0 for every key (router.pricing.unpriced = free)"
            : "a key with a budget is refused them (400 model_not_priced) unless router.pricing.unpriced = free";
        logger.LogWarning("Routed models without a price ({Deployments}): {Consequence}; give them a price in router.prices",
            string.Join(", ", unpriced.Select(d => $"{d.ModelName} on {d.Id}")), consequence);
    }
}
