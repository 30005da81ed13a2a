using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Router.Actors.Sharding;

namespace Router.Actors.KeyBudgets;

public static class KeyBudgetHostingExtensions
{
    public const string RegionName = "key-budgets";

    /// <summary>The keys' replicas in distributed data are named so: the pair keeps those on disk.</summary>
    public const string ReplicaKeyPrefix = KeyReplica.KeyPrefix;

    /// <summary>
    /// Registers the key budget region under <see cref="KeyBudgetActor"/> in the actor registry: a
    /// local region on a single node; the pair uses <see cref="WithShardedKeyBudgets"/>, with the same extractor.
    /// </summary>
    public static AkkaConfigurationBuilder WithLocalKeyBudgets(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
        {
            var region = system.ActorOf(
                LocalEntityRegionActor.Props(new KeyBudgetMessageExtractor(), id => KeyBudgetActor.Props(id)),
                RegionName);
            registry.Register<KeyBudgetActor>(region);
        });

    /// <summary>
    /// The pair: each key's actor lives on exactly one node of the cluster (one writer cluster-wide) and
    /// the other node reaches it through its shard region. A key moving node writes its usage first.
    /// </summary>
    public static AkkaConfigurationBuilder WithShardedKeyBudgets(this AkkaConfigurationBuilder builder, string role) =>
        builder.WithShardRegion<KeyBudgetActor>(RegionName, id => KeyBudgetActor.Props(id, replicated: true), new KeyBudgetMessageExtractor(),
            new ShardOptions
            {
                Role = role,
                StateStoreMode = StateStoreMode.DData,
                RememberEntities = false,
                HandOffStopMessage = KeyBudgetActor.HandOff.Instance,
            });
}
