using System.Globalization;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Router.Actors.KeyBudgets;
using Router.Contracts.Configuration;

namespace Router.Host.Cluster;

/// <summary>
/// The actor system of a node of the pair: remoting on the node's address, cluster membership (joined by
/// <see cref="ClusterFormation"/>, not by Akka's seed-node rule, which lets two nodes started at once form
/// two clusters), the key budgets sharded and replicated (distributed data, kept on disk in the node's data
/// directory), and the split-brain resolver keeping the side that holds the lease in PostgreSQL.
/// </summary>
public static class ClusterSetup
{
    public const string Role = "router";
    public const string SbrLeaseName = "router-sbr";

    public static AkkaConfigurationBuilder WithRouterCluster(
        this AkkaConfigurationBuilder builder, ClusterSettings cluster, string leaseConnectionString, string dataDir) =>
        builder
            .AddHocon(Hocon(cluster, leaseConnectionString) + ReplicaHocon(dataDir), HoconAddMode.Prepend)
            .WithRemoting(Remoting(cluster))
            .WithClustering(new ClusterOptions { Roles = [Role], SeedNodes = [] })
            .WithShardedKeyBudgets(Role);

    /// <summary>
    /// Remoting on the node's address; with <c>router.cluster.tls</c>, over TLS both ways (Akka's mutual authentication:
    /// each side presents its certificate) and every peer's certificate checked by <see cref="PeerCertificateCheck"/>
    /// in place of Akka's check against the system's store.
    /// </summary>
    private static RemoteOptions Remoting(ClusterSettings cluster)
    {
        var options = new RemoteOptions { HostName = cluster.Hostname, Port = cluster.Port };
        if (cluster.Tls is not { } tls) return options;
        var certificates = RemotingCertificates.Load(tls, TimeProvider.System);
        options.EnableSsl = true;
        options.Ssl = new SslOptions
        {
            X509Certificate = certificates.Certificate,
            SuppressValidation = false,
            RequireMutualAuthentication = true,
            ValidateCertificateHostname = false,
            CustomValidator = certificates.Check.Validate,
        };
        return options;
    }

    /// <summary>
    /// The key budgets' replica (<c>KeyReplica</c>): on this node's disk (<see cref="SqliteReplicaStore"/>, written
    /// behind by at most 100 ms, so a write costs no disk wait on the request path), and sent to the peer as
    /// deltas; a confirmed settlement waits for both nodes.
    /// </summary>
    private static string ReplicaHocon(string dataDir) => $$"""

        akka.cluster.distributed-data {
          role = "{{Role}}"
          delta-crdt.enabled = on
          gossip-interval = 1s
          durable {
            keys = ["{{KeyBudgetHostingExtensions.ReplicaKeyPrefix}}*"]
            store-actor-class = "Router.Host.Cluster.SqliteReplicaStore, router"
            sqlite {
              path = {{HoconQuoting.Quote(Path.Combine(Path.GetFullPath(dataDir), "replica.db"))}}
              write-behind-interval = 100ms
            }
          }
        }
        # Sharding's own replicator keeps nothing on disk (no remembered entities), and must not open the store above.
        akka.cluster.sharding.distributed-data.durable.keys = []
        """;

    /// <summary>
    /// A crashed peer's keys answer here after about heartbeat-pause + 1 s (unreachable) + down-after (the
    /// resolver's stable-after, then the lease) + down-after again (the removal margin) + the coordinator's move:
    /// 8-9 s with the LAN defaults (PairFailoverTests). Shorter pauses mean faster failover and false downing of a
    /// peer that is only slow (a long GC pause, a VM migration): docs/operations.md says how to choose.
    /// </summary>
    private static string Hocon(ClusterSettings cluster, string leaseConnectionString)
    {
        string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        return $$"""
            akka.cluster {
              downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              split-brain-resolver {
                active-strategy = lease-majority
                stable-after = {{Seconds(cluster.DownAfter)}}
                lease-majority {
                  lease-implementation = "router.cluster-lease"
                  lease-name = "{{SbrLeaseName}}"
                  # The side with the lowest address asks first; the lease alone decides, so this needs only cover a query.
                  acquire-lease-delay-for-minority = 500ms
                  release-after = {{Seconds(cluster.LeaseTtl * 2)}}
                }
              }
              # Keys of a downed peer start here only after this margin: time for a peer that is alive on the
              # other side of a cut, and lost the lease, to down itself and stop its keys' actors first.
              down-removal-margin = {{Seconds(cluster.DownAfter)}}
              failure-detector {
                heartbeat-interval = 500ms
                acceptable-heartbeat-pause = {{Seconds(cluster.HeartbeatPause)}}
              }
              # How often silent peers are marked unreachable and downed ones removed (both 1 s by default): on a
              # pair these are cheap, and each saves its half interval on average from every failover.
              unreachable-nodes-reaper-interval = 250ms
              leader-actions-interval = 250ms
              run-coordinated-shutdown-when-down = on
            }
            akka.cluster.sharding {
              handoff-timeout = 10s
              # How often a region asks again for a shard's new home while the coordinator moves (default 2 s).
              retry-interval = 500ms
            }
            router.cluster-lease {
              lease-class = "Router.Host.Cluster.PostgresLease, router"
              heartbeat-interval = {{Seconds(cluster.LeaseTtl / 5)}}
              heartbeat-timeout = {{Seconds(cluster.LeaseTtl)}}
              # The resolver waits on Acquire with no timeout of its own, deciding nothing meanwhile: keep it short.
              lease-operation-timeout = 2s
              connection-string = {{HoconQuoting.Quote(leaseConnectionString)}}
            }
            """;
    }
}
