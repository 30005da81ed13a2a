using Router.Actors.Routing;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Http;
using Router.Host.Providers;

namespace Router.Host.Ingress;

/// <summary>
/// <c>GET /v1/models</c>: the model names the caller's key may send (<see cref="ListedModels"/>): exact routes,
/// and the models behind wildcard routes as their providers list them. Never a pattern.
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
            var allowed = await AllowedModelsAsync(context, authenticator, keys);
            var cards = ListedModels.For(routes, discovered, allowed)
                .Select(m => new ModelCard(m.Name, StartedAt, m.Deployment.ProviderName))
                .ToList();
            await context.Response.WriteAsJsonAsync(new ModelList(cards), WireJsonContext.Wire.ModelList, contentType: null, context.RequestAborted);
        }
        catch (RouterError error)
        {
            await ErrorWriter.WriteAsync(context, error, requestId);
        }
    }

    /// <summary>
    /// Authenticates the caller and tells which names its key may use: all for the master key and a key without a
    /// model list, else those its names and globs (<c>ollama/*</c>) match, as a request for the name would be judged.
    /// </summary>
    public static async Task<Func<string, bool>> AllowedModelsAsync(HttpContext context, KeyAuthenticator authenticator, KeyStates keys)
    {
        var key = authenticator.Authenticate(context);
        if (key.IsMaster) return _ => true;
        var allowedModels = await keys.AllowedModelsAsync(key, context.RequestAborted);
        return model => allowedModels.Count == 0 || allowedModels.Any(allowed => ModelPattern.Matches(allowed, model));
    }
}
