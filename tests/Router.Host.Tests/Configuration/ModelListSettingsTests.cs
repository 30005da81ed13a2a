using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

/// <summary><c>router.model-lists.refresh-interval</c>: how often providers behind wildcard routes are asked for their models.</summary>
public sealed class ModelListSettingsTests
{
    private static RouterSettings Shipped(string over = "")
    {
        var hocon = HoconEnvironment.Resolve(HoconConfigLoader.ReadEmbedded("router.conf"), _ => null);
        return RouterSettingsReader.Read(ConfigurationFactory.ParseString("router { " + over + " }").WithFallback(ConfigurationFactory.ParseString(hocon)));
    }

    [Fact]
    public void Lists_are_refreshed_every_ten_minutes_unless_configured()
    {
        Assert.Equal(TimeSpan.FromMinutes(10), Shipped().ModelListRefresh);
        Assert.Equal(TimeSpan.FromMinutes(1), Shipped("model-lists.refresh-interval = 1m").ModelListRefresh);
    }

    [Fact]
    public void An_interval_under_a_second_is_refused()
    {
        var error = Assert.Throws<ConfigException>(() => Shipped("model-lists.refresh-interval = 0s"));

        Assert.Contains("router.model-lists.refresh-interval", error.Message, StringComparison.Ordinal);
    }
}
