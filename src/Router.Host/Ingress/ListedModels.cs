using Router.Actors.Routing;
using Router.Host.Providers;

namespace Router.Host.Ingress;

/// <summary>One name a client can send, the deployment that serves it, and the model that deployment's provider calls it.</summary>
public sealed record ListedModel(string Name, Deployment Deployment, string UpstreamModel);

/// <summary>
/// The model names <c>/v1/models</c> and <c>/v1/model/info</c> list: every exact route, then the names behind
/// each wildcard route, from its providers' own lists (<see cref="DiscoveredModels"/>), as the route names them
/// (<c>openrouter/*</c> and <c>meta-llama/llama-3.3-70b</c> → <c>openrouter/meta-llama/llama-3.3-70b</c>). A pattern
/// is never listed: a client cannot send it. A name is listed only where the route table would send it to the
/// deployment whose provider listed it (a longer pattern or an exact route may take it elsewhere).
/// </summary>
public static class ListedModels
{
    public static List<ListedModel> For(RouteTable routes, DiscoveredModels lists, Func<string, bool> allowed)
    {
        var listed = new List<ListedModel>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in routes.Groups.Where(g => !ModelPattern.IsPattern(g.ModelName)))
        {
            var first = group.Deployments[0];
            if (allowed(group.ModelName) && seen.Add(group.ModelName))
                listed.Add(new ListedModel(group.ModelName, first, first.UpstreamModelFor(group.ModelName)));
        }
        foreach (var group in routes.Groups.Where(g => ModelPattern.IsPattern(g.ModelName)))
        {
            foreach (var deployment in group.Deployments)
            {
                foreach (var upstream in lists.Of(deployment.ProviderName))
                {
                    if (deployment.RequestedModelFor(upstream) is not { } name || seen.Contains(name) || !allowed(name)) continue;
                    if (!ReferenceEquals(routes.Resolve(name)?.Group, group)) continue;
                    seen.Add(name);
                    listed.Add(new ListedModel(name, deployment, upstream));
                }
            }
        }
        return listed;
    }
}
