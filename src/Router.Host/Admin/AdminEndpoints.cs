using System.Globalization;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Configuration;
using Router.Host.Keys;

namespace Router.Host.Admin;

/// <summary>
/// The node's admin endpoint under <c>/admin</c>, master key only, which the <c>router</c> command line
/// talks to: the cluster and its events, the key budget shards, this node's breakers, cache, recent log
/// lines and configuration. Every answer names the node that gave it.
/// </summary>
public static class AdminEndpoints
{
    private const int MaxLogLines = LogRing.DefaultCapacity;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/cluster", (HttpContext context, ClusterAdmin cluster) =>
            Run(context, "GET /admin/cluster", _ => Json(context, cluster.Show(), AdminJsonContext.Admin.ClusterView)));
        app.MapPost("/admin/cluster/leave", (HttpContext context, ClusterAdmin cluster) =>
            Run(context, "POST /admin/cluster/leave", async _ =>
                await Json(context, cluster.Leave(await AddressAsync(context)), AdminJsonContext.Admin.ClusterActionResult)));
        app.MapPost("/admin/cluster/down", (HttpContext context, ClusterAdmin cluster) =>
            Run(context, "POST /admin/cluster/down", async _ =>
                await Json(context, cluster.Down(await AddressAsync(context)), AdminJsonContext.Admin.ClusterActionResult)));
        app.MapPost("/admin/cluster/join", (HttpContext context, ClusterAdmin cluster) =>
            Run(context, "POST /admin/cluster/join", async _ =>
                await Json(context, cluster.Join(await AddressAsync(context)), AdminJsonContext.Admin.ClusterActionResult)));
        app.MapPost("/admin/cluster/down-unreachable", (HttpContext context, ClusterAdmin cluster) =>
            Run(context, "POST /admin/cluster/down-unreachable", _ => Json(context, cluster.DownUnreachable(), AdminJsonContext.Admin.ClusterActionResult)));
        app.MapGet("/admin/cluster/events", (HttpContext context, AdminNode node) =>
            Run(context, "GET /admin/cluster/events", ct => ClusterEventStream.WriteAsync(context, node, context.RequestServices, ct)));

        app.MapGet("/admin/shards", (HttpContext context, ShardAdmin shards) =>
            Run(context, "GET /admin/shards", async ct => await Json(context, await shards.StatsAsync(ct), AdminJsonContext.Admin.ShardStatsView)));
        app.MapGet("/admin/shards/locate", (HttpContext context, ShardAdmin shards) =>
            Run(context, "GET /admin/shards/locate", async ct =>
            {
                var key = context.Request.Query["key"].ToString().Trim();
                if (key.Length == 0) throw AdminBody.Bad("key", "Name the key: GET /admin/shards/locate?key=<key id, alias or secret>.");
                await Json(context, await shards.LocateAsync(key, ct), AdminJsonContext.Admin.ShardLocation);
            }));

        app.MapGet("/admin/breakers", (HttpContext context, BreakerAdmin breakers) =>
            Run(context, "GET /admin/breakers", _ => Json(context, breakers.List(), AdminJsonContext.Admin.BreakerListView)));
        app.MapPost("/admin/breakers/trip", (HttpContext context, BreakerAdmin breakers) =>
            Run(context, "POST /admin/breakers/trip", async ct =>
            {
                var body = await AdminBody.ReadAsync(context);
                var result = await breakers.TripAsync(body.Required("deployment", "the deployment id, as `router breakers list` shows it"),
                    BreakerAdmin.ParseSpan(body.Optional("for")), ct);
                await Json(context, result, AdminJsonContext.Admin.BreakerActionResult);
            }));
        app.MapPost("/admin/breakers/reset", (HttpContext context, BreakerAdmin breakers) =>
            Run(context, "POST /admin/breakers/reset", async ct =>
            {
                var body = await AdminBody.ReadAsync(context);
                var result = await breakers.ResetAsync(body.Required("deployment", "the deployment id, as `router breakers list` shows it"), ct);
                await Json(context, result, AdminJsonContext.Admin.BreakerActionResult);
            }));

        app.MapGet("/admin/cache", (HttpContext context, CacheAdmin cache) =>
            Run(context, "GET /admin/cache", _ => Json(context, cache.Stats(), AdminJsonContext.Admin.CacheStatsView)));

        app.MapGet("/admin/log", (HttpContext context, LogRing ring, AdminNode node) =>
            Run(context, "GET /admin/log", _ =>
            {
                var linesText = context.Request.Query["lines"].ToString();
                var lines = 100;
                if (linesText.Length > 0 && !(int.TryParse(linesText, NumberStyles.None, CultureInfo.InvariantCulture, out lines) && lines is >= 1 and <= MaxLogLines))
                    throw AdminBody.Bad("lines", $"'lines' must be a whole number from 1 to {MaxLogLines}.");
                var levelText = context.Request.Query["level"].ToString().Trim().ToLowerInvariant();
                var level = levelText.Length == 0 ? LogLevel.Trace : LogRing.LevelOf(levelText);
                if (level == LogLevel.None) throw AdminBody.Bad("level", "'level' must be trace, debug, information, warning, error or critical.");
                return Json(context, new LogPeekView(node.Name, ring.Capacity, ring.Last(lines, level)), AdminJsonContext.Admin.LogPeekView);
            }));

        app.MapGet("/admin/config", (HttpContext context, LiveConfig config) =>
            Run(context, "GET /admin/config", async ct =>
            {
                context.Response.ContentType = "application/json";
                await using var writer = new Utf8JsonWriter(context.Response.Body);
                ConfigView.Of(config.Current.Settings).WriteTo(writer);
                await writer.FlushAsync(ct);
            }));
    }

    private static Task Run(HttpContext context, string endpoint, Func<CancellationToken, Task> handle) =>
        MasterOnly.RunAsync(context, context.RequestServices.GetRequiredService<KeyAuthenticator>(),
            context.RequestServices.GetRequiredService<KeyAdmin>(), endpoint, handle);

    private static Task Json<T>(HttpContext context, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        context.Response.WriteAsJsonAsync(value, type, contentType: null, context.RequestAborted);

    private static async Task<string> AddressAsync(HttpContext context) =>
        (await AdminBody.ReadAsync(context)).Required("address", "the member's host:port (its remoting port) or akka.tcp://router@host:port");
}
