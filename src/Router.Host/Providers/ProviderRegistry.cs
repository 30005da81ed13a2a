using System.Collections.Frozen;
using Router.Contracts.Configuration;
using Router.Host.Translation.Anthropic;
using Router.Host.Translation.Gemini;
using Router.Host.Translation.Ollama;
using Router.Host.Translation.OpenAi;

namespace Router.Host.Providers;

/// <summary>
/// The provider types the router speaks, one row each: the config reader, the admin view, pricing,
/// the completion cap and the provider clients all read a type's facts from here, so a new type is
/// one row and its dialect (see docs/adding-a-provider.md).
/// </summary>
public static class ProviderRegistry
{
    public static readonly IReadOnlyList<ProviderDefinition> All =
    [
        new(ProviderType.OpenAi, "openai", _ => OpenAiDialect.Instance)
        {
            CreateResponsesDialect = _ => OpenAiResponsesDialect.Instance, ChatLimitIsMaxCompletionTokens = true, ChatTakesTopK = false,
            CreateModelListing = _ => OpenAiModelListing.Instance,
        },
        // Ollama, vLLM, OpenRouter, xAI, NIM, MiniMax: a local server needs no key. A discovering one is an
        // Ollama, asked for its tags; the others answer OpenAI's GET /models.
        new(ProviderType.OpenAiCompatible, "openai-compatible", _ => OpenAiDialect.Instance)
        {
            KeyRequired = false, Discovers = true,
            CreateModelListing = s => s.Discovery is null ? OpenAiModelListing.Instance : OllamaTagsListing.Instance,
        },
        new(ProviderType.Anthropic, "anthropic", s => new AnthropicDialect(s))
        {
            CreateMessagesDialect = s => new AnthropicMessagesDialect(s), PricePrefix = "anthropic", SendsDefaultMaxTokens = true,
            CreateModelListing = _ => AnthropicModelListing.Instance, ApiVersion = "v1",
        },
        new(ProviderType.Gemini, "gemini", s => new GeminiDialect(s))
        {
            PricePrefix = "gemini", ChatTakesUser = false, CreateModelListing = _ => GeminiModelListing.Instance, ApiVersion = "v1beta",
        },
    ];

    private static readonly FrozenDictionary<ProviderType, ProviderDefinition> ByType = All.ToFrozenDictionary(d => d.Type);
    private static readonly FrozenDictionary<string, ProviderDefinition> ByConfigName =
        All.ToFrozenDictionary(d => d.ConfigName, StringComparer.Ordinal);

    public static ProviderDefinition Of(ProviderType type) =>
        ByType.TryGetValue(type, out var definition)
            ? definition
            : throw new ArgumentOutOfRangeException(nameof(type), type, "No row in ProviderRegistry for this provider type.");

    /// <summary>The type a config names, or null for a name no row declares.</summary>
    public static ProviderDefinition? Named(string configName) => ByConfigName.GetValueOrDefault(configName);
}
