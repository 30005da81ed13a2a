using System.Text.Json;

namespace Router.Host.Translation.Ollama;

/// <summary>
/// Ollama's native <c>GET /api/tags</c>, beside its OpenAI-compatible API (<c>…/v1</c> → <c>…/api/tags</c>):
/// <c>{"models": [{"name": "llama3.2:3b", ...}]}</c>, one page. Used by a provider that discovers its models
/// (<c>discover = true</c>), which is spoken to as openai-compatible otherwise.
/// </summary>
public sealed class OllamaTagsListing : IModelListing
{
    public static readonly OllamaTagsListing Instance = new();

    public ModelListRequest PageRequest(Uri apiBase, string? cursor) => new(TagsUri(apiBase), ModelListRequest.NoHeaders);

    public ModelListPage ReadPage(JsonElement root) =>
        new([.. ModelListJson.ArrayOf(root, "models").Select(m => ModelListJson.StringOf(m, "name")).OfType<string>()], null);

    public static Uri TagsUri(Uri apiBase)
    {
        var root = apiBase.AbsoluteUri.TrimEnd('/');
        if (root.EndsWith("/v1", StringComparison.Ordinal)) root = root[..^3];
        return new Uri(root + "/api/tags");
    }
}
