using System.Globalization;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Router.Actors.KeyBudgets;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Cluster;

/// <summary>
/// The actor system of a node of the pair: remoting on the node's address, cluster membership (joined by
/// <see cref="ClusterFormation"/>, not by Akka's seed-node rule, which lets two nodes started at once form
/// two clusters), the key budgets sharded, and the split-brain resolver keeping the side that holds the
/// lease in PostgreSQL.
/// </summary>
public static class ClusterSetup
{
    public const string Role = "router";
    public const string SbrLeaseName = "router-sbr";

    public static AkkaConfigurationBuilder WithRouterCluster(this AkkaConfigurationBuilder builder, ClusterSettings cluster, string leaseConnectionString) =>
        builder
            .AddHocon(Hocon(cluster, leaseConnectionString), HoconAddMode.Prepend)
            .WithRemoting(new RemoteOptions { HostName = cluster.Hostname, Port = cluster.Port })
            .WithClustering(new ClusterOptions { Roles = [Role], SeedNodes = [] })
            .WithShardedKeyBudgets(Role);

    private static string Hocon(ClusterSettings cluster, string leaseConnectionString)
    {
        string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        // The heartbeat pause is what makes a crashed peer unreachable: short, as a LAN pair allows.
        return $$"""
            akka.cluster {
              downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              split-brain-resolver {
                active-strategy = lease-majority
                stable-after = {{Seconds(cluster.DownAfter)}}
                lease-majority {
                  lease-implementation = "router.cluster-lease"
                  lease-name = "{{SbrLeaseName}}"
                  acquire-lease-delay-for-minority = 1s
                  release-after = {{Seconds(cluster.LeaseTtl * 2)}}
                }
              }
              failure-detector {
                heartbeat-interval = 1s
                acceptable-heartbeat-pause = 3s
              }
              run-coordinated-shutdown-when-down = on
            }
            akka.cluster.sharding.handoff-timeout = 10s
            router.cluster-lease {
              lease-class = "Router.Host.Cluster.PostgresLease, router"
              heartbeat-interval = {{Seconds(cluster.LeaseTtl / 5)}}
              heartbeat-timeout = {{Seconds(cluster.LeaseTtl)}}
              # Longer than a lease lives: a crashed holder's lease expires while the survivor keeps asking.
              lease-operation-timeout = {{Seconds(cluster.LeaseTtl + cluster.LeaseTtl / 2)}}
              connection-string = {{HoconConfigLoader.Quote(leaseConnectionString)}}
            }
            """;
    }
}
