using System.Text.Json;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// Anthropic's <c>GET {api-base}/models</c> (api-base like <c>https://api.anthropic.com/v1</c>), versioned with
/// <c>anthropic-version</c>: <c>{"data": [{"id": "claude-sonnet-4-20250514", "type": "model", ...}],
/// "has_more": true, "first_id": ..., "last_id": ...}</c>. The next page is asked for with <c>after_id</c> = <c>last_id</c>,
/// up to 1000 models a page (Anthropic's maximum).
/// </summary>
public sealed class AnthropicModelListing : IModelListing
{
    public static readonly AnthropicModelListing Instance = new();

    private static readonly IReadOnlyList<KeyValuePair<string, string>> VersionHeader =
        [new("anthropic-version", AnthropicDialect.Version)];

    public ModelListRequest PageRequest(Uri apiBase, string? cursor) =>
        new(ModelListJson.Below(apiBase, cursor is null ? "/models?limit=1000" : $"/models?limit=1000&after_id={Uri.EscapeDataString(cursor)}"),
            VersionHeader);

    public ModelListPage ReadPage(JsonElement root)
    {
        var models = ModelListJson.ArrayOf(root, "data").Select(m => ModelListJson.StringOf(m, "id")).OfType<string>().ToList();
        var more = root.TryGetProperty("has_more", out var hasMore) && hasMore.ValueKind == JsonValueKind.True;
        // A page that says there is more but not where it ends would be asked for again and again: it is the last.
        return new ModelListPage(models, more ? ModelListJson.StringOf(root, "last_id") : null);
    }
}
