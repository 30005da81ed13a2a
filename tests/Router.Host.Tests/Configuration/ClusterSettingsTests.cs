using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

/// <summary><c>router.cluster</c>: the pair's failure detection and hand-over, over the shipped defaults.</summary>
public sealed class ClusterSettingsTests
{
    private const string Pair = """
        router.storage { provider = postgres, connection-string = "Host=db;Database=router;Username=r;Password=p" }
        router.cluster { enabled = true, hostname = "10.0.0.11", seed-nodes = ["10.0.0.11:4053", "10.0.0.12:4053"] }
        """;

    private static ClusterSettings Read(string hocon) =>
        RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon).WithFallback(HoconConfigLoader.LoadRouterConfig(null))).Cluster;

    [Fact]
    public void The_shipped_defaults_are_tuned_for_a_LAN_pair()
    {
        var cluster = Read(Pair);

        Assert.Equal(
            (TimeSpan.FromMilliseconds(1500), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(15)),
            (cluster.HeartbeatPause, cluster.DownAfter, cluster.LeaseTtl, cluster.HandoverTimeout));
    }

    [Fact]
    public void A_lease_that_would_outlive_a_crashed_holder_until_its_peer_asks_is_refused()
    {
        var message = Assert.Throws<ConfigException>(() => Read(Pair + "\nrouter.cluster { lease-ttl = 5s, heartbeat-pause = 2s, down-after = 3s }")).Message;

        Assert.Contains("router.cluster.lease-ttl", message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(9), Read(Pair + "\nrouter.cluster { lease-ttl = 9s, heartbeat-pause = 5s, down-after = 5s }").LeaseTtl);
    }

    [Theory]
    [InlineData("heartbeat-pause")]
    [InlineData("handover-timeout")]
    public void A_duration_that_is_not_positive_names_the_key(string key)
    {
        var message = Assert.Throws<ConfigException>(() => Read(Pair + $"\nrouter.cluster.{key} = 0s")).Message;

        Assert.Contains($"router.cluster.{key}", message, StringComparison.Ordinal);
    }
}
