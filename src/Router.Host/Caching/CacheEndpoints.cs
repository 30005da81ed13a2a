using System.Text.Json;
using Router.Host.Auth;
using Router.Host.Http;
using Router.Host.Keys;

namespace Router.Host.Caching;

/// <summary>
/// <c>POST /cache/flush</c> (master key): removes every cached answer, or those of one model (as sent
/// upstream), one namespace, or one entry (its id, from <c>x-router-cache-key</c>). Answers <c>{"flushed": n}</c>.
/// </summary>
public static class CacheEndpoints
{
    public static Task FlushAsync(HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin, IResponseCacheStore store) =>
        MasterOnly.RunAsync(context, authenticator, admin, "POST /cache/flush", async ct =>
        {
            var flushed = await store.FlushAsync(await ReadScopeAsync(context), ct);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"flushed":{{flushed}}}""", ct);
        });

    private static async Task<CacheScope> ReadScopeAsync(HttpContext context)
    {
        if (context.Request.ContentLength is 0 or null && !context.Request.Headers.ContainsKey("Transfer-Encoding")) return new CacheScope();
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw RouterError.InvalidRequest("The body must be a JSON object.", code: "invalid_json");
            return new CacheScope(Text(root, "model"), Text(root, "namespace"), Text(root, "key"));
        }
        catch (JsonException e)
        {
            throw RouterError.InvalidRequest($"The body is not valid JSON: {e.Message}", code: "invalid_json");
        }
    }

    private static string? Text(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw RouterError.InvalidRequest($"'{name}' must be a non-empty string.", name, $"invalid_{name}");
    }
}
