using Router.Actors.Routing;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Proxy;

namespace Router.Host.Http;

/// <summary>
/// <c>GET /v1/models</c>: the routes the caller's key may use. Patterns (<c>ollama/*</c>) are listed as
/// they are, since what they match cannot be enumerated here.
/// </summary>
public static class ModelsEndpoint
{
    private static readonly long StartedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static async Task HandleAsync(HttpContext context, KeyAuthenticator authenticator, RouteTable routes)
    {
        var requestId = RequestIds.Assign(context);
        try
        {
            var key = ProxyHandler.Authenticate(context, authenticator);
            var cards = routes.Deployments
                .Where(d => key.AllowedModels.Any(allowed => ModelPattern.Matches(allowed, d.ModelName)))
                .DistinctBy(d => d.ModelName)
                .Select(d => new ModelCard(d.ModelName, StartedAt, d.ProviderName))
                .ToList();
            await context.Response.WriteAsJsonAsync(new ModelList(cards), WireJsonContext.Wire.ModelList, contentType: null, context.RequestAborted);
        }
        catch (RouterError error)
        {
            await ErrorWriter.WriteAsync(context, error, requestId);
        }
    }
}
