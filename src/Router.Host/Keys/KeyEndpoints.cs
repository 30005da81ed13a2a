using System.Globalization;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Http;

namespace Router.Host.Keys;

/// <summary>
/// The virtual key admin API, in LiteLLM's shape so its scripts keep working: <c>/key/generate</c>,
/// <c>/key/update</c>, <c>/key/regenerate</c>, <c>/key/block</c>, <c>/key/unblock</c>, <c>/key/delete</c>,
/// <c>/key/list</c> (master key) and <c>/key/info</c> (master key, or a virtual key for itself).
/// A key's secret is in no answer but those of generate and regenerate, and in no log line.
/// </summary>
public static class KeyEndpoints
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/key/generate", (HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin) =>
            RunAsync(context, authenticator, admin, "POST /key/generate", async ct =>
            {
                var request = await KeyRequest.ReadAsync(context, admin.Now);
                return Json(await admin.GenerateAsync(request, ct));
            }));
        app.MapPost("/key/update", (HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin) =>
            RunAsync(context, authenticator, admin, "POST /key/update", async ct =>
            {
                var request = await KeyRequest.ReadAsync(context, admin.Now);
                return Json(await admin.UpdateAsync(KeyOf(request), request, "updated", ct));
            }));
        app.MapPost("/key/regenerate", (HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin) =>
            RunAsync(context, authenticator, admin, "POST /key/regenerate", async ct =>
            {
                var request = await KeyRequest.ReadAsync(context, admin.Now);
                return Json(await admin.RegenerateAsync(KeyOf(request), request, ct));
            }));
        // LiteLLM's other spelling, with the key in the path and an optional body of changes.
        app.MapPost("/key/{key}/regenerate", (HttpContext context, string key, KeyAuthenticator authenticator, KeyAdmin admin) =>
            RunAsync(context, authenticator, admin, "POST /key/{key}/regenerate", async ct =>
            {
                var request = context.Request.ContentLength is 0 or null && !context.Request.Headers.ContainsKey("Transfer-Encoding")
                    ? KeyRequest.Empty
                    : await KeyRequest.ReadAsync(context, admin.Now);
                return Json(await admin.RegenerateAsync(key, request, ct));
            }));
        app.MapPost("/key/block", (HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin) =>
            RunAsync(context, authenticator, admin, "POST /key/block", async ct =>
            {
                var request = await KeyRequest.ReadAsync(context, admin.Now);
                return Json(await admin.UpdateAsync(KeyOf(request), KeyRequest.Block(true), "blocked", ct));
            }));
        app.MapPost("/key/unblock", (HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin) =>
            RunAsync(context, authenticator, admin, "POST /key/unblock", async ct =>
            {
                var request = await KeyRequest.ReadAsync(context, admin.Now);
                return Json(await admin.UpdateAsync(KeyOf(request), KeyRequest.Block(false), "unblocked", ct));
            }));
        app.MapPost("/key/delete", (HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin) =>
            RunAsync(context, authenticator, admin, "POST /key/delete", async ct =>
            {
                var request = await KeyRequest.ReadAsync(context, admin.Now);
                var deleted = await admin.DeleteAsync(request, ct);
                return Results.Json(new VirtualKeysDeleted(deleted), WireJsonContext.Wire.VirtualKeysDeleted);
            }));
        app.MapGet("/key/list", (HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin) =>
            RunAsync(context, authenticator, admin, "GET /key/list", async ct =>
            {
                var page = QueryInt(context, "page", 1, 1, int.MaxValue);
                var size = QueryInt(context, "size", DefaultPageSize, 1, MaxPageSize);
                return Results.Json(await admin.ListAsync(page, size, ct), WireJsonContext.Wire.VirtualKeyList);
            }));
        app.MapGet("/key/info", InfoAsync);
    }

    /// <summary><c>GET /key/info</c>: any key for the master key; a virtual key only for itself (without <c>?key=</c> or naming itself).</summary>
    private static async Task InfoAsync(HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin, ILogger<KeyAdmin> logger)
    {
        var requestId = RequestIds.Assign(context);
        var ct = context.RequestAborted;
        try
        {
            var caller = authenticator.Authenticate(context);
            var asked = context.Request.Query["key"].ToString().Trim();
            VirtualKeyInfo info;
            if (caller.IsMaster)
            {
                if (asked.Length == 0) throw KeyRequest.Bad("key", "Name the key to show: GET /key/info?key=<secret or key id>.");
                info = await admin.InfoAsync(asked, ct);
            }
            else
            {
                await admin.RequireCurrentAsync(caller, ct);
                var self = asked.Length == 0 || asked == caller.KeyId || KeySecrets.SameHash(KeySecrets.Hash(asked), caller.SecretHash);
                if (!self) throw RouterError.Forbidden("A virtual key may only read its own /key/info; other keys need the master key.");
                info = await admin.InfoByIdAsync(caller.KeyId, ct);
            }
            await context.Response.WriteAsJsonAsync(new VirtualKeyInfoResponse(info.KeyId, info), WireJsonContext.Wire.VirtualKeyInfoResponse,
                contentType: null, ct);
        }
        catch (RouterError error)
        {
            await ErrorWriter.WriteAsync(context, error, requestId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Request {RequestId} to GET /key/info failed inside the router", requestId);
            await ErrorWriter.WriteAsync(context, RouterError.Internal(), requestId);
        }
    }

    private static Task RunAsync(
        HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin, string endpoint, Func<CancellationToken, Task<IResult>> handle) =>
        MasterOnly.RunAsync(context, authenticator, admin, endpoint, async ct => await (await handle(ct)).ExecuteAsync(context));

    private static IResult Json(VirtualKeyInfo info) => Results.Json(info, WireJsonContext.Wire.VirtualKeyInfo);

    private static string KeyOf(KeyRequest request) =>
        request.Key ?? throw KeyRequest.Bad("key", "'key' is required: the key's secret or its id (key_…).");

    private static int QueryInt(HttpContext context, string name, int fallback, int min, int max)
    {
        var text = context.Request.Query[name].ToString();
        if (text.Length == 0) return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw KeyRequest.Bad(name, $"'{name}' must be a whole number from {min} to {max}.");
    }
}
