namespace Router.Tests.Shared;

/// <summary>
/// Every GET route the router maps, as its endpoint data source names them (route patterns, with and without
/// <c>/v1</c> where a client path answers both). <c>RouterGetRoutesTests</c> (Router.Host.Tests) builds the app and
/// fails when a GET route is mapped that this list lacks, or listed and no longer mapped; the end-to-end
/// <c>SecretLeakTests</c> fails when a route here has no fetch of its own. So a new GET endpoint cannot be
/// left out of the leak test unnoticed.
/// </summary>
public static class RouterGetRoutes
{
    public static readonly IReadOnlyList<string> All =
    [
        "/v1/models", "/models",
        "/v1/model/info", "/model/info",
        "/v1/responses/{id}", "/responses/{id}",
        "/health/liveness", "/health/liveliness", "/health/readiness", "/health/deployments",
        "/key/list", "/key/info",
        "/spend/logs", "/spend/report", "/spend/export",
        "/metrics",
        "/admin/cluster", "/admin/cluster/events", "/admin/shards", "/admin/shards/locate",
        "/admin/breakers", "/admin/cache", "/admin/log", "/admin/config", "/admin/alerts",
        "/ui", "/ui/login", "/ui/requests", "/ui/requests/{Id}", "/ui/deployments", "/ui/alerts", "/ui/models",
        "/ui/keys", "/ui/keys/{Id}",
        // Blazor's own: where an enhanced navigation is redirected.
        "/_framework/opaque-redirect",
    ];
}
