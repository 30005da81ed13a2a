using Microsoft.Extensions.Logging.Abstractions;
using Router.Contracts.Configuration;
using Router.Host.Configuration;
using Router.Host.Pricing;

namespace Router.Host.Tests.Configuration;

public sealed class LiveConfigTests
{
    private static readonly RouterSettings Defaults = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(null));

    private static ClusterSettings Pair(params string[] seeds) =>
        ClusterSettings.Off with { Enabled = true, Hostname = "10.0.0.11", SeedNodes = [.. seeds] };

    private static IReadOnlyList<string> RestartRequired(RouterSettings before, RouterSettings after)
    {
        var live = new LiveConfig(before, () => after, ModelCatalog.LoadShipped(), TimeProvider.System, NullLogger<LiveConfig>.Instance);
        return live.Reload().RestartRequired;
    }

    [Fact]
    public void The_same_cluster_in_new_lists_needs_no_restart_and_a_changed_one_does()
    {
        var pair = Defaults with { Cluster = Pair("10.0.0.11:4053", "10.0.0.12:4053") };

        Assert.DoesNotContain("cluster", RestartRequired(pair, Defaults with { Cluster = Pair("10.0.0.11:4053", "10.0.0.12:4053") }));
        Assert.Contains("cluster", RestartRequired(pair, Defaults with { Cluster = Pair("10.0.0.11:4053", "10.0.0.13:4053") }));
        Assert.Contains("cluster", RestartRequired(pair, Defaults));
    }

    [Fact]
    public void A_reload_that_cannot_be_read_changes_nothing()
    {
        var live = new LiveConfig(Defaults, () => throw new ConfigException("router.models: broken"), ModelCatalog.LoadShipped(),
            TimeProvider.System, NullLogger<LiveConfig>.Instance);
        var before = live.Current;

        Assert.Contains("broken", Assert.Throws<ConfigException>(live.Reload).Message);
        Assert.Same(before, live.Current);
    }
}
