using System.Text.Json.Nodes;

namespace Router.MockUpstream;

/// <summary>
/// The providers' model lists, as their public references describe them, on the mock server: OpenAI's
/// <c>GET /v1/models</c> (OpenRouter and every OpenAI-compatible server answer the same shape), Anthropic's
/// <c>GET {prefix}/v1/models</c> paged by <c>after_id</c>, Gemini's <c>GET {prefix}/v1beta/models</c> paged by
/// <c>pageToken</c>. Each refuses a caller without the key where its provider wants it (Bearer, <c>x-api-key</c>
/// with <c>anthropic-version</c>, <c>x-goog-api-key</c>) with the provider's 401, so a list reaching the router
/// proves the router sent the key the provider's way. Pages hold two models, fewer than the router asks for,
/// as a provider may answer: every page must be followed.
/// </summary>
public static class ModelListMocks
{
    private const int PageSize = 2;

    public static readonly IReadOnlyList<string> OpenAiModels = ["gpt-4o-mini", "meta-llama/llama-3.3-70b-instruct"];

    public static readonly IReadOnlyList<string> AnthropicModels = ["claude-sonnet-4-20250514", "claude-3-5-haiku-20241022", "claude-3-haiku-20240307"];

    /// <summary>Gemini's names, with the <c>models/</c> prefix it answers them with; the embedding model cannot chat.</summary>
    public static readonly IReadOnlyList<string> GeminiModels = ["models/gemini-2.5-pro", "models/text-embedding-004", "models/gemini-2.5-flash"];

    public static void Map(WebApplication app, string? requiredKey)
    {
        app.MapGet("/v1/models", context => requiredKey is not null && context.Request.Headers.Authorization != $"Bearer {requiredKey}"
            ? Refuse(context, new JsonObject { ["error"] = new JsonObject { ["message"] = "Incorrect API key provided.", ["type"] = "invalid_request_error", ["code"] = "invalid_api_key" } })
            : Results.Json(new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray([.. OpenAiModels.Select(id => (JsonNode)new JsonObject { ["id"] = id, ["object"] = "model", ["created"] = 1721172741, ["owned_by"] = "system" })]),
            }).ExecuteAsync(context));
        app.MapGet("/anthropic/v1/models", context => Anthropic(context, requiredKey));
        app.MapGet("/gemini/v1beta/models", context => Gemini(context, requiredKey));
    }

    private static Task Anthropic(HttpContext context, string? requiredKey)
    {
        if ((requiredKey is not null && context.Request.Headers["x-api-key"] != requiredKey) || string.IsNullOrEmpty(context.Request.Headers["anthropic-version"]))
            return Refuse(context, new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = "authentication_error", ["message"] = "invalid x-api-key" } });
        var after = context.Request.Query["after_id"].ToString();
        var start = after.Length == 0 ? 0 : AnthropicModels.ToList().IndexOf(after) + 1;
        var page = AnthropicModels.Skip(start).Take(PageSize).ToList();
        return Results.Json(new JsonObject
        {
            ["data"] = new JsonArray([.. page.Select(id => (JsonNode)new JsonObject { ["type"] = "model", ["id"] = id, ["display_name"] = id, ["created_at"] = "2025-05-22T00:00:00Z" })]),
            ["has_more"] = start + PageSize < AnthropicModels.Count,
            ["first_id"] = page.FirstOrDefault(),
            ["last_id"] = page.LastOrDefault(),
        }).ExecuteAsync(context);
    }

    private static Task Gemini(HttpContext context, string? requiredKey)
    {
        // Google also takes ?key=, which reaches logs: the router must never use it.
        if ((requiredKey is not null && context.Request.Headers["x-goog-api-key"] != requiredKey) || context.Request.Query.ContainsKey("key"))
            return Refuse(context, new JsonObject { ["error"] = new JsonObject { ["code"] = 401, ["message"] = "API key not valid.", ["status"] = "UNAUTHENTICATED" } });
        var start = int.TryParse(context.Request.Query["pageToken"], out var token) ? token : 0;
        var page = GeminiModels.Skip(start).Take(PageSize).Select(name => (JsonNode)new JsonObject
        {
            ["name"] = name,
            ["supportedGenerationMethods"] = name.Contains("embedding", StringComparison.Ordinal)
                ? new JsonArray("embedContent")
                : new JsonArray("generateContent", "countTokens"),
        });
        var answer = new JsonObject { ["models"] = new JsonArray([.. page]) };
        if (start + PageSize < GeminiModels.Count) answer["nextPageToken"] = (start + PageSize).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Json(answer).ExecuteAsync(context);
    }

    private static Task Refuse(HttpContext context, JsonObject error) => Results.Json(error, statusCode: 401).ExecuteAsync(context);
}
