using Router.Contracts.Configuration;
using Router.Host.Translation.Anthropic;
using Router.Host.Translation.Gemini;
using Router.Host.Translation.OpenAi;

namespace Router.Host.Translation;

public static class ProviderDialects
{
    public static IProviderDialect For(ProviderSettings provider) => provider.Type switch
    {
        ProviderType.OpenAi or ProviderType.OpenAiCompatible => OpenAiDialect.Instance,
        ProviderType.Anthropic => new AnthropicDialect(provider),
        ProviderType.Gemini => new GeminiDialect(provider),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider.Type, "No dialect for this provider type."),
    };
}
