using System.Collections.Frozen;
using System.Text.Json;

namespace Router.Host.Pricing;

/// <summary>What the shipped price table says of one model; prices are USD per token.</summary>
/// <param name="MaxOutputTokens">The longest completion the model produces (LiteLLM's <c>max_output_tokens</c>, else its older <c>max_tokens</c>).</param>
/// <param name="Mode">What the model does, in LiteLLM's words (<c>chat</c>, <c>embedding</c>, <c>completion</c>…); null when the table does not say.</param>
/// <param name="Supports">The table's <c>supports_*</c> flags that are true, as written there (<c>supports_vision</c>), for <c>/v1/model/info</c>.</param>
public sealed record ModelFacts(
    int? MaxInputTokens, decimal? InputCostPerToken, decimal? OutputCostPerToken, decimal? CacheReadCostPerToken = null,
    int? MaxOutputTokens = null, decimal? CacheWriteCostPerToken = null, string? Mode = null, IReadOnlyList<string>? Supports = null);

/// <summary>
/// The model table shipped inside the executable (<c>resources/model-prices.json</c>, LiteLLM's format:
/// model name → limits and prices), read once. Names there are the upstream names, some with a
/// provider prefix (<c>gemini/gemini-2.5-flash</c>, <c>openrouter/anthropic/claude-sonnet-4</c>).
/// </summary>
public sealed class ModelCatalog
{
    private readonly FrozenDictionary<string, ModelFacts> _models;

    private ModelCatalog(FrozenDictionary<string, ModelFacts> models) => _models = models;

    public static ModelCatalog LoadShipped()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("model-prices.json")
            ?? throw new InvalidOperationException("model-prices.json is not embedded in the router");
        return Parse(stream);
    }

    public static ModelCatalog Parse(Stream json)
    {
        using var document = JsonDocument.Parse(json);
        var models = new Dictionary<string, ModelFacts>(StringComparer.Ordinal);
        foreach (var model in document.RootElement.EnumerateObject())
        {
            if (model.Value.ValueKind != JsonValueKind.Object) continue;
            models[model.Name] = new ModelFacts(
                Int(model.Value, "max_input_tokens"),
                Number(model.Value, "input_cost_per_token"),
                Number(model.Value, "output_cost_per_token"),
                Number(model.Value, "cache_read_input_token_cost"),
                Int(model.Value, "max_output_tokens") ?? Int(model.Value, "max_tokens"),
                Number(model.Value, "cache_creation_input_token_cost"),
                model.Value.TryGetProperty("mode", out var mode) && mode.ValueKind == JsonValueKind.String ? mode.GetString() : null,
                SupportsOf(model.Value));
        }
        return new ModelCatalog(models.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// The facts for a model as one provider calls it: first under the provider's own prefix
    /// (<c>gemini/…</c>, <c>ollama/…</c>), then under its bare upstream name.
    /// </summary>
    public ModelFacts? Find(string providerPrefix, string upstreamModel) =>
        _models.GetValueOrDefault($"{providerPrefix}/{upstreamModel}") ?? _models.GetValueOrDefault(upstreamModel);

    // Interned: a few dozen flag names repeat across the table's models.
    private static string[]? SupportsOf(JsonElement model)
    {
        var flags = model.EnumerateObject()
            .Where(p => p.Name.StartsWith("supports_", StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.True)
            .Select(p => string.Intern(p.Name))
            .ToArray();
        return flags.Length == 0 ? null : flags;
    }

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;

    // Prices go through decimal, not double, so 1.5e-07 stays exactly that and sums come out in exact cents.
    private static decimal? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var n) ? n : null;
}
