using Router.Host.Admin;
using Router.Host.Auth;
using Router.Host.Keys;

namespace Router.Host.Alerts;

/// <summary><c>GET /admin/alerts</c> and <c>POST /admin/alerts/test</c>, master key only, as the rest of <c>/admin</c>.</summary>
public static class AlertEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/alerts", (HttpContext context, AlertHistory history, AlertDispatcher dispatcher, AdminNode node) =>
            Run(context, "GET /admin/alerts", ct =>
                context.Response.WriteAsJsonAsync(List(history, dispatcher, node), AlertsJsonContext.Alerts.AlertListView, contentType: null, ct)));
        app.MapPost("/admin/alerts/test", (HttpContext context, AlertDispatcher dispatcher, AdminNode node) =>
            Run(context, "POST /admin/alerts/test", async ct =>
            {
                var deliveries = await dispatcher.TestAsync(node.Name, ct);
                await context.Response.WriteAsJsonAsync(new AlertTestResult(node.Name, deliveries), AlertsJsonContext.Alerts.AlertTestResult,
                    contentType: null, ct);
            }));
    }

    public static AlertListView List(AlertHistory history, AlertDispatcher dispatcher, AdminNode node) =>
        new(node.Name, history.Capacity, [.. dispatcher.Targets.Select(t => t.ToString())], history.Last(history.Capacity));

    private static Task Run(HttpContext context, string endpoint, Func<CancellationToken, Task> handle) =>
        MasterOnly.RunAsync(context, context.RequestServices.GetRequiredService<KeyAuthenticator>(),
            context.RequestServices.GetRequiredService<KeyAdmin>(), endpoint, handle);
}
