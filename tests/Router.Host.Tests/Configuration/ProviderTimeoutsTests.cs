using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

public sealed class ProviderTimeoutsTests
{
    private static ProviderTimeouts TimeoutsOf(string hocon, string provider) =>
        RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon)).Providers.Single(p => p.Name == provider).Timeouts;

    private const string WithDefaults = """
        router {
          provider-defaults.timeouts { connect = 7s, first-byte = 30s, stream-idle = 20s, total = 100s }
          providers {
            slow { type = openai-compatible, api-base = "http://slow/v1", timeouts { first-byte = 300s, total = 900s } }
            plain { type = openai-compatible, api-base = "http://plain/v1" }
          }
        }
        """;

    [Fact]
    public void A_provider_overrides_only_the_timeouts_it_sets()
    {
        Assert.Equal(
            new ProviderTimeouts(TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(900)),
            TimeoutsOf(WithDefaults, "slow"));
    }

    [Fact]
    public void A_provider_without_timeouts_takes_provider_defaults()
    {
        Assert.Equal(
            new ProviderTimeouts(TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(100)),
            TimeoutsOf(WithDefaults, "plain"));
    }

    [Fact]
    public void Without_provider_defaults_the_built_in_timeouts_apply()
    {
        var timeouts = TimeoutsOf("""
            router.providers.p { type = openai-compatible, api-base = "http://p/v1", timeouts.connect = 2s }
            """, "p");

        Assert.Equal(
            new ProviderTimeouts(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(600)),
            timeouts);
    }

    [Fact]
    public void Partial_provider_defaults_fill_the_rest_from_the_built_in_timeouts()
    {
        var timeouts = TimeoutsOf("""
            router {
              provider-defaults.timeouts.stream-idle = 15s
              providers.p { type = openai-compatible, api-base = "http://p/v1" }
            }
            """, "p");

        Assert.Equal(
            new ProviderTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(600)),
            timeouts);
    }
}
