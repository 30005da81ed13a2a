using System.Text.Json;

namespace Router.Host.Translation.Gemini;

/// <summary>
/// Gemini's <c>GET {api-base}/models</c> (api-base like <c>https://generativelanguage.googleapis.com/v1beta</c>):
/// <c>{"models": [{"name": "models/gemini-2.5-pro", "supportedGenerationMethods": ["generateContent", ...], ...}],
/// "nextPageToken": "..."}</c>, up to 1000 a page. Names lose their <c>models/</c> prefix, which the dialect
/// adds back when it calls the model; models that cannot <c>generateContent</c> (embeddings, answer-only
/// models) are left out, since chat is all the router translates for Gemini.
/// </summary>
public sealed class GeminiModelListing : IModelListing
{
    public static readonly GeminiModelListing Instance = new();
    private const string NamePrefix = "models/";

    public ModelListRequest PageRequest(Uri apiBase, string? cursor) =>
        new(ModelListJson.Below(apiBase, cursor is null ? "/models?pageSize=1000" : $"/models?pageSize=1000&pageToken={Uri.EscapeDataString(cursor)}"),
            ModelListRequest.NoHeaders);

    public ModelListPage ReadPage(JsonElement root)
    {
        var models = ModelListJson.ArrayOf(root, "models")
            .Where(CanChat)
            .Select(m => ModelListJson.StringOf(m, "name"))
            .OfType<string>()
            .Select(name => name.StartsWith(NamePrefix, StringComparison.Ordinal) ? name[NamePrefix.Length..] : name)
            .Where(name => name.Length > 0)
            .ToList();
        return new ModelListPage(models, ModelListJson.StringOf(root, "nextPageToken"));
    }

    /// <summary>A model that says what it supports must support generateContent; one that does not say is kept.</summary>
    private static bool CanChat(JsonElement model) =>
        !model.TryGetProperty("supportedGenerationMethods", out var methods)
        || methods.ValueKind != JsonValueKind.Array
        || methods.EnumerateArray().Any(m => m.ValueKind == JsonValueKind.String && m.GetString() == "generateContent");
}
