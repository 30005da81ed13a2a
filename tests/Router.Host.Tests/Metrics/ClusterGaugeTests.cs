using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Host.Metrics;

namespace Router.Host.Tests.Metrics;

/// <summary>Cluster members come from Akka.Cluster when the actor system runs it: two systems on loopback, joined.</summary>
public sealed class ClusterGaugeTests
{
    private static readonly Config ClusterConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        """);

    private static RouterMetrics MetricsOf(ActorSystem? system) =>
        new(() => RouteTable.Build([], new HashSet<string>()), new DeploymentBoard(), () => system);

    [Fact]
    public async Task A_local_actor_system_is_a_single_member_up()
    {
        using var system = ActorSystem.Create("metrics-local", "akka.loglevel = WARNING");

        var scrape = await Scrape.OfAsync(MetricsOf(system));

        Assert.Equal(1, scrape["""router_cluster_members{status="up"}"""]);
    }

    [Fact]
    public async Task A_cluster_node_reports_the_members_it_sees()
    {
        using var first = ActorSystem.Create("metrics-cluster", ClusterConfig);
        using var second = ActorSystem.Create("metrics-cluster", ClusterConfig);
        try
        {
            var seed = Akka.Cluster.Cluster.Get(first).SelfAddress;
            Akka.Cluster.Cluster.Get(first).Join(seed);
            Akka.Cluster.Cluster.Get(second).Join(seed);
            var metrics = MetricsOf(first);

            var deadline = DateTime.UtcNow.AddSeconds(30);
            Scrape scrape;
            do
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
                scrape = await Scrape.OfAsync(metrics);
            } while (scrape["""router_cluster_members{status="up"}"""] < 2 && DateTime.UtcNow < deadline);

            Assert.Equal(2, scrape["""router_cluster_members{status="up"}"""]);
            Assert.Equal(0, scrape["""router_cluster_members{status="joining"}"""]);
            Assert.Equal(0, scrape["router_cluster_unreachable_members"]);
        }
        finally
        {
            await Task.WhenAll(second.Terminate(), first.Terminate());
        }
    }
}
