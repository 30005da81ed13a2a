using Router.Contracts.Configuration;
using Router.Host.Auth;
using Router.Host.Keys;

namespace Router.Host.Metrics;

/// <summary>
/// <c>GET /metrics</c>, Prometheus' text format. Open by default: a scraper rarely sends a bearer key, and
/// the series name keys by alias or display prefix only. <c>router.metrics.require-key = true</c> serves it
/// to the master key alone; <c>enabled = false</c> leaves it unmapped (404) and records nothing.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static void Map(WebApplication app)
    {
        var settings = app.Services.GetRequiredService<RouterSettings>().Metrics;
        if (!settings.Enabled) return;
        if (settings.RequireKey)
            app.MapGet(Path, (HttpContext context, RouterMetrics metrics, KeyAuthenticator authenticator, KeyAdmin admin) =>
                MasterOnly.RunAsync(context, authenticator, admin, "GET /metrics", ct => WriteAsync(context, metrics, ct)));
        else
            app.MapGet(Path, (HttpContext context, RouterMetrics metrics) => WriteAsync(context, metrics, context.RequestAborted));
    }

    private static async Task WriteAsync(HttpContext context, RouterMetrics metrics, CancellationToken ct)
    {
        context.Response.ContentType = RouterMetrics.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, ct);
    }
}
