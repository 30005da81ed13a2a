using System.Text.Json;

namespace Router.Host.Translation.OpenAi;

/// <summary>
/// <c>GET {api-base}/models</c> as OpenAI answers it, and OpenRouter, xAI, NIM, vLLM and every other
/// OpenAI-compatible server: <c>{"object": "list", "data": [{"id": "gpt-4o", ...}]}</c>, one page.
/// </summary>
public sealed class OpenAiModelListing : IModelListing
{
    public static readonly OpenAiModelListing Instance = new();

    public ModelListRequest PageRequest(Uri apiBase, string? cursor) =>
        new(ModelListJson.Below(apiBase, "/models"), ModelListRequest.NoHeaders);

    public ModelListPage ReadPage(JsonElement root) =>
        new([.. ModelListJson.ArrayOf(root, "data").Select(m => ModelListJson.StringOf(m, "id")).OfType<string>()], null);
}
