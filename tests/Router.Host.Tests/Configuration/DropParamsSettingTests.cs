using Akka.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

/// <summary><c>router.providers.&lt;name&gt;.drop-params</c>: off unless the operator says so.</summary>
public sealed class DropParamsSettingTests
{
    private static bool DropParamsOf(string provider) =>
        RouterSettingsReader.Read(ConfigurationFactory.ParseString($"router.providers.foo {{ {provider} }}"))
            .Providers.Single(p => p.Name == "foo").DropParams;

    [Fact]
    public void A_provider_refuses_unmappable_fields_unless_it_says_drop_params() =>
        Assert.False(DropParamsOf("""type = anthropic, api-base = "http://x/v1", api-key = k"""));

    [Fact]
    public void Drop_params_true_is_read() =>
        Assert.True(DropParamsOf("""type = gemini, api-base = "http://x/v1beta", api-key = k, drop-params = true"""));
}
