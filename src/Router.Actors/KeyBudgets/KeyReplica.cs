using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Router.Contracts.Messages;
using DData = Akka.DistributedData;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// A key's state as the pair replicates it (Akka.DistributedData, kept on disk in each node's data directory):
/// one LWW map per key holding its policy and, per run of a node, what that run counted. The key's actor writes
/// it as it settles, so a node that outlives its peer, or PostgreSQL, recovers the key from its own copy.
/// <para>
/// Usage is kept per run (node address and incarnation) and summed: each entry has one writer, so the two
/// nodes' copies merge exactly even when both served the key at once (a network cut), and a node restarted with
/// its data directory lost starts a new entry rather than overwriting its old one with less.
/// </para>
/// </summary>
internal sealed class KeyReplica(IActorRef replicator, UniqueAddress self, string keyId)
{
    /// <summary>
    /// How many of its last counted requests a run's entry carries, so a settlement asked again on the other node
    /// (its first answer lost with a node) counts once. Senders ask again within seconds; each entry is written
    /// whole on every write, so this also bounds what a write costs (about 40 bytes an id).
    /// </summary>
    public const int ReplicatedRequestIds = 256;

    /// <summary>How long a write to both nodes waits for the peer before it counts as written here only.</summary>
    public static readonly TimeSpan WriteToBothTimeout = TimeSpan.FromSeconds(2);

    private const string PolicyEntry = "policy";
    private const string UsagePrefix = "usage@";

    public static KeyReplica For(ActorSystem system, string keyId) =>
        new(DistributedData.Get(system).Replicator, Akka.Cluster.Cluster.Get(system).SelfUniqueAddress, keyId);

    /// <summary>The distributed-data keys are named so; the durable store keeps those matching <c>key-budget-*</c>.</summary>
    public const string KeyPrefix = "key-budget-";

    private readonly LWWDictionaryKey<string, string> _key = new(KeyPrefix + keyId);
    private readonly string _ownEntry = $"{UsagePrefix}{self.Address}#{self.Uid}";

    /// <summary>How long a read waits for the peer's copy before <see cref="ReadHere"/>.</summary>
    public static readonly TimeSpan ReadEveryNodeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Asks every node's copy, merged; <paramref name="actor"/> is answered with <see cref="DData.GetSuccess"/>,
    /// <see cref="DData.NotFound"/>, or <see cref="DData.GetFailure"/> when the peer did not answer in time.
    /// </summary>
    public void Read(IActorRef actor) => replicator.Tell(Dsl.Get(_key, new ReadAll(ReadEveryNodeTimeout), EveryNode), actor);

    /// <summary>Asks this node's copy only.</summary>
    public void ReadHere(IActorRef actor) => replicator.Tell(Dsl.Get(_key, ReadLocal.Instance, ThisNode), actor);

    private const string EveryNode = "every node";
    private const string ThisNode = "this node";

    /// <summary>Whether a read's answer merges every node's copy.</summary>
    public static bool ReadEveryNode(object? request) => request is EveryNode;

    /// <summary>
    /// Writes this run's entry, here only (the peer gets it within the replicator's delta interval) or to both
    /// nodes; <paramref name="actor"/> is answered with the <see cref="WriteRequest"/> of <paramref name="generation"/>.
    /// </summary>
    public void WriteUsage(KeyBudget.ReplicaUsage own, bool toBoth, long generation, IActorRef actor) =>
        Write(_ownEntry, JsonSerializer.Serialize(own, MessageJsonContext.Default.ReplicaUsage), toBoth, generation, actor);

    public void WritePolicy(KeyBudget.ReplicaPolicy policy, long generation, IActorRef actor) =>
        Write(PolicyEntry, JsonSerializer.Serialize(policy, MessageJsonContext.Default.ReplicaPolicy), toBoth: true, generation, actor);

    private void Write(string entry, string json, bool toBoth, long generation, IActorRef actor) =>
        replicator.Tell(Dsl.Update(_key, LWWDictionary<string, string>.Empty,
            toBoth ? new WriteAll(WriteToBothTimeout) : WriteLocal.Instance,
            new WriteRequest(keyId, generation),
            map => map.SetItem(self, entry, json)), actor);

    /// <summary>What the copy holds: the policy, the sum of every run's usage, and the current budget period's spend.</summary>
    public ReplicatedKey Parse(DData.GetSuccess found)
    {
        var fromEveryNode = ReadEveryNode(found.Request);
        var map = found.Get(_key);
        KeyBudget.ReplicaPolicy? policy = null;
        KeyBudget.ReplicaUsage? own = null;
        var runs = new List<KeyBudget.ReplicaUsage>();
        foreach (var (entry, json) in map.Entries)
        {
            if (entry == PolicyEntry) policy = JsonSerializer.Deserialize(json, MessageJsonContext.Default.ReplicaPolicy);
            else if (entry.StartsWith(UsagePrefix, StringComparison.Ordinal)
                     && JsonSerializer.Deserialize(json, MessageJsonContext.Default.ReplicaUsage) is { } run)
            {
                runs.Add(run);
                if (entry == _ownEntry) own = run;
            }
        }
        var usage = runs.Aggregate(KeyUsage.None, (sum, run) =>
            KeyUsage.Add(sum, KeyUsage.Of(run)));
        // The latest period any run counted in is the key's; runs that last counted in an earlier one add nothing to it.
        var periodStart = runs.Max(run => run.PeriodStart);
        var periodSpend = runs.Where(run => run.PeriodStart == periodStart).Sum(run => run.PeriodSpend);
        return new ReplicatedKey(policy, usage, periodStart, periodSpend, own, [.. runs.SelectMany(run => run.RecentIds)], fromEveryNode);
    }

    /// <summary>Which write an answer of the replicator is about.</summary>
    public sealed record WriteRequest(string KeyId, long Generation);
}

/// <summary>
/// A key as its replica holds it; <see cref="Own"/> is this node's run's entry, if it has written one;
/// <see cref="FromEveryNode"/> when every node's copy was read, not this node's alone.
/// </summary>
internal sealed record ReplicatedKey(
    KeyBudget.ReplicaPolicy? Policy, KeyBudget.UsageRecorded Usage, DateTimeOffset? PeriodStart, decimal PeriodSpend,
    KeyBudget.ReplicaUsage? Own, IReadOnlyList<string> RecentIds, bool FromEveryNode)
{
    public static readonly ReplicatedKey Empty = new(null, KeyUsage.None, null, 0, null, [], false);
}
