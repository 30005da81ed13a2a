using Router.Contracts.Configuration;
using Router.Host.Providers;

namespace Router.Host.Tests.Providers;

public sealed class ProviderRegistryTests
{
    [Fact]
    public void Every_provider_type_has_exactly_one_row()
    {
        Assert.Equal(Enum.GetValues<ProviderType>().Order(), ProviderRegistry.All.Select(d => d.Type).Order());
    }

    [Fact]
    public void A_type_is_found_by_its_config_name_and_no_other()
    {
        foreach (var definition in ProviderRegistry.All)
            Assert.Same(definition, ProviderRegistry.Named(definition.ConfigName));
        Assert.Null(ProviderRegistry.Named("OpenAI"));
    }
}
