using Router.Actors.Routing;

namespace Router.Host.Caching;

/// <summary>
/// What produced a cached answer: the model that served it after fallbacks (as the request log's
/// <c>routed_model</c> names it), and the provider and upstream model of the deployment that answered.
/// </summary>
public sealed record CacheProducer(string Model, string Provider, string UpstreamModel)
{
    public static CacheProducer Of(RouteMatch served, Deployment deployment) =>
        new(served.Group.ModelName, deployment.ProviderName, served.UpstreamModelFor(deployment));

    /// <summary>
    /// Whether <paramref name="route"/> could have given this answer itself: one of its deployments is the
    /// producer's provider sending the same upstream model. An entry is keyed by a route's first deployment,
    /// so a model with several deployments (two providers under one name) shares an entry with a route to
    /// its first one alone; that route must not be answered by what the other provider said.
    /// </summary>
    public bool CouldBeProducedBy(RouteMatch route)
    {
        foreach (var deployment in route.Group.Deployments)
            if (deployment.ProviderName == Provider && route.UpstreamModelFor(deployment) == UpstreamModel)
                return true;
        return false;
    }
}
