using Router.Contracts.Configuration;
using Router.Host.Translation.OpenAi;

namespace Router.Host.Translation;

public static class ProviderDialects
{
    public static IProviderDialect For(ProviderSettings provider) => provider.Type switch
    {
        ProviderType.OpenAi or ProviderType.OpenAiCompatible => OpenAiDialect.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider.Type, "No dialect for this provider type."),
    };
}
