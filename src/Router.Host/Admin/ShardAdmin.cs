using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Router.Actors.KeyBudgets;
using Router.Actors.Sharding;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Keys;

namespace Router.Host.Admin;

/// <summary>
/// The key budget region (<see cref="KeyBudgetHostingExtensions.RegionName"/>): its shards and actors on
/// every node, and where one key's actor lives. The shard of a key follows from its id through the same
/// extractor both modes use; a single node's local region stands in for the cluster's.
/// </summary>
public sealed class ShardAdmin(AdminNode node, ActorRegistry registry, KeyDirectory directory, IServiceProvider services)
{
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan AskTimeout = StatsTimeout + TimeSpan.FromSeconds(2);
    private readonly KeyBudgetMessageExtractor _extractor = new();

    private IActorRef Region => registry.Get<KeyBudgetActor>();

    public async Task<ShardStatsView> StatsAsync(CancellationToken ct)
    {
        if (!node.Clustered)
        {
            var entities = await LocalEntitiesAsync(ct);
            var shards = entities.GroupBy(ShardOf).ToDictionary(g => g.Key, g => g.Count());
            return new ShardStatsView(node.Name, KeyBudgetHostingExtensions.RegionName,
                [new ShardRegionView(node.Name, shards.Count, entities.Count, Sorted(shards), [])]);
        }
        var regions = (await ClusterStatsAsync(ct))
            .OrderBy(r => r.Key.ToString(), StringComparer.Ordinal)
            .Select(r => new ShardRegionView(r.Key.ToString(), r.Value.Stats.Count, r.Value.Stats.Values.Sum(),
                Sorted(r.Value.Stats), [.. r.Value.Failed.Order(StringComparer.Ordinal)]))
            .ToList();
        return new ShardStatsView(node.Name, KeyBudgetHostingExtensions.RegionName, regions);
    }

    /// <param name="keyText">The key's id (<c>key_…</c>), its alias or its secret (never echoed back).</param>
    public async Task<ShardLocation> LocateAsync(string keyText, CancellationToken ct)
    {
        var entry = (KeyDirectory.LooksLikeKeyId(keyText) ? directory.FindById(keyText) : null)
            ?? directory.FindByAlias(keyText)
            ?? directory.FindByHash(KeySecrets.Hash(keyText))
            ?? throw KeyAdmin.UnknownKey("key");
        var keyId = entry.KeyId;
        var shard = ShardOf(keyId);
        if (!node.Clustered)
        {
            var running = (await LocalEntitiesAsync(ct)).Contains(keyId);
            return new ShardLocation(node.Name, KeyBudgetHostingExtensions.RegionName, keyId, shard, node.Name, running);
        }

        var stats = await ClusterStatsAsync(ct);
        var host = stats.Where(r => r.Value.Stats.ContainsKey(shard)).Select(r => r.Key).FirstOrDefault();
        if (host is null) return new ShardLocation(node.Name, KeyBudgetHostingExtensions.RegionName, keyId, shard, null, false);
        // The hosting node's region knows which of its shard's actors run; a peer's is reached over remoting.
        var system = services.GetRequiredService<ActorSystem>();
        ICanTell region = host == SelfAddress
            ? Region
            : system.ActorSelection(new RootActorPath(host) / "system" / "sharding" / KeyBudgetHostingExtensions.RegionName);
        var state = await AskAsync<CurrentShardRegionState>(region, GetShardRegionState.Instance, $"The shard region on {host}", ct);
        var entityRunning = state.Shards.Any(s => s.ShardId == shard && s.EntityIds.Contains(keyId));
        return new ShardLocation(node.Name, KeyBudgetHostingExtensions.RegionName, keyId, shard, host.ToString(), entityRunning);
    }

    /// <summary>Every node's region and its shards' entity counts; this node's own region is named by its cluster address.</summary>
    private async Task<IReadOnlyDictionary<Address, ShardRegionStats>> ClusterStatsAsync(CancellationToken ct)
    {
        var stats = await AskAsync<ClusterShardingStats>(Region, new GetClusterShardingStats(StatsTimeout), "The shard regions", ct);
        var self = SelfAddress;
        return stats.Regions.ToDictionary(r => r.Key.HasLocalScope ? self : r.Key, r => r.Value);
    }

    private Address SelfAddress => Akka.Cluster.Cluster.Get(services.GetRequiredService<ActorSystem>()).SelfAddress;

    private string ShardOf(string keyId) => _extractor.ShardId(keyId, null);

    private async Task<IReadOnlyList<string>> LocalEntitiesAsync(CancellationToken ct) =>
        (await AskAsync<LocalEntityRegionActor.Entities>(Region, LocalEntityRegionActor.GetEntities.Instance, "The key budget region", ct)).Ids;

    private static IReadOnlyDictionary<string, int> Sorted(IEnumerable<KeyValuePair<string, int>> shards) =>
        new SortedDictionary<string, int>(shards.ToDictionary(), Comparer<string>.Create(ShardOrder));

    /// <summary>Shard ids are numbers: 2 before 10.</summary>
    private static int ShardOrder(string a, string b) =>
        int.TryParse(a, out var x) && int.TryParse(b, out var y) ? x.CompareTo(y) : string.CompareOrdinal(a, b);

    private static async Task<T> AskAsync<T>(ICanTell target, object message, string who, CancellationToken ct)
    {
        try
        {
            return await target.Ask<T>(message, AskTimeout, ct);
        }
        catch (AskTimeoutException)
        {
            throw AdminErrors.NoAnswer(who);
        }
    }
}
