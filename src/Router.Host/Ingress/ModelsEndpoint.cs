using Router.Actors.Routing;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Http;
using Router.Host.Providers;

namespace Router.Host.Ingress;

/// <summary>
/// <c>GET /v1/models</c>: the routes the caller's key may use. Patterns (<c>ollama/*</c>) are listed as
/// they are, followed by the models discovered behind them (<c>ollama/llama3.2:3b</c>).
/// </summary>
public static class ModelsEndpoint
{
    private static readonly long StartedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static async Task HandleAsync(
        HttpContext context, KeyAuthenticator authenticator, RouteTable routes, DiscoveredModels discovered, KeyStates keys)
    {
        var requestId = RequestIds.Assign(context);
        try
        {
            var key = authenticator.Authenticate(context);
            var allowedModels = key.IsMaster ? ["*"] : await keys.AllowedModelsAsync(key, context.RequestAborted);
            bool Allowed(string model) => allowedModels.Count == 0 || allowedModels.Any(allowed => ModelPattern.Matches(allowed, model));
            var configured = routes.Deployments
                .Where(d => Allowed(d.ModelName))
                .Select(d => new ModelCard(d.ModelName, StartedAt, d.ProviderName));
            // A discovered model is listed only where the route table would send it to the provider that has it.
            var found = discovered.All()
                .Where(m => Allowed(m.Id) && routes.Resolve(m.Id)?.Deployment.ProviderName == m.Provider)
                .Select(m => new ModelCard(m.Id, StartedAt, m.Provider));
            var cards = configured.Concat(found).DistinctBy(c => c.Id).ToList();
            await context.Response.WriteAsJsonAsync(new ModelList(cards), WireJsonContext.Wire.ModelList, contentType: null, context.RequestAborted);
        }
        catch (RouterError error)
        {
            await ErrorWriter.WriteAsync(context, error, requestId);
        }
    }
}
