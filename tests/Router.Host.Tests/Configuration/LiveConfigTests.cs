using Akka.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Router.Contracts.Configuration;
using Router.Host.Configuration;
using Router.Host.Pricing;
using Router.Host.Tests.Caching;

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
    public void A_new_cache_secret_redis_password_or_ca_waits_for_a_restart()
    {
        var secured = Defaults with { Cache = Defaults.Cache with { Redis = "r:6379", Secret = new string('s', 32), RedisPassword = "p", RedisCa = "/ca.pem" } };

        Assert.DoesNotContain("cache", RestartRequired(secured, secured with { Cache = secured.Cache with { } }));
        Assert.Contains("cache", RestartRequired(secured, secured with { Cache = secured.Cache with { Secret = new string('t', 32) } }));
        Assert.Contains("cache", RestartRequired(secured, secured with { Cache = secured.Cache with { RedisPassword = "q" } }));
        Assert.Contains("cache", RestartRequired(secured, secured with { Cache = secured.Cache with { RedisCa = "/other.pem" } }));
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

    [Fact]
    public void A_reload_warns_once_of_each_key_with_no_effect()
    {
        var logger = new ListLogger<LiveConfig>();
        var withTypo = RouterSettingsReader.Read(ConfigurationFactory.ParseString("router.routing.retires = 1")
            .WithFallback(HoconConfigLoader.LoadRouterConfig(null)));
        var live = new LiveConfig(Defaults, () => withTypo, ModelCatalog.LoadShipped(), TimeProvider.System, logger);

        var result = live.Reload();

        Assert.Equal(withTypo.Warnings, result.Warnings);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("router.routing.retires", StringComparison.Ordinal));
        Assert.EndsWith("did you mean retries?", warning.Message, StringComparison.Ordinal);
    }
}
