using Akka.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Metrics;

public sealed class MetricsSettingsTests
{
    [Fact]
    public void The_shipped_defaults_serve_metrics_without_a_key()
    {
        var settings = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(null)).Metrics;

        Assert.True(settings.Enabled);
        Assert.False(settings.RequireKey);
    }

    [Fact]
    public void An_operator_can_require_the_master_key_or_turn_metrics_off()
    {
        var locked = RouterSettingsReader.Read(ConfigurationFactory.ParseString("router.metrics.require-key = true")).Metrics;
        var off = RouterSettingsReader.Read(ConfigurationFactory.ParseString("router.metrics.enabled = false")).Metrics;

        Assert.True(locked is { Enabled: true, RequireKey: true });
        Assert.False(off.Enabled);
    }
}
