using Akka.Actor;
using Akka.Cluster;
using Prometheus;

namespace Router.Host.Metrics;

/// <summary>
/// <c>router_cluster_members{status}</c> and <c>router_cluster_unreachable_members</c>, read when scraped.
/// When the actor system runs Akka.Cluster these are the members this node sees; the embedded single node
/// runs no cluster, and is then one member, itself, up. (The active/active pair of issue 8 makes them real.)
/// </summary>
internal sealed class ClusterGauge
{
    private static readonly (MemberStatus Status, string Label)[] Statuses =
    [
        (MemberStatus.Joining, "joining"), (MemberStatus.WeaklyUp, "weakly_up"), (MemberStatus.Up, "up"),
        (MemberStatus.Leaving, "leaving"), (MemberStatus.Exiting, "exiting"), (MemberStatus.Down, "down"),
    ];

    private readonly Func<ActorSystem?> _system;
    private readonly Gauge.Child[] _members;
    private readonly Gauge _unreachable;

    public ClusterGauge(IMetricFactory factory, Func<ActorSystem?> system)
    {
        _system = system;
        var members = factory.CreateGauge("router_cluster_members", "Cluster members this node sees, by status (a single node: itself, up).",
            ["status"]);
        _members = [.. Statuses.Select(s => members.WithLabels(s.Label))];
        _unreachable = factory.CreateGauge("router_cluster_unreachable_members", "Cluster members this node cannot reach.");
    }

    public void Update()
    {
        var counts = new int[Statuses.Length];
        var unreachable = 0;
        if (_system() is ExtendedActorSystem { Provider: ClusterActorRefProvider } system)
        {
            var state = Akka.Cluster.Cluster.Get(system).State;
            foreach (var member in state.Members)
                if (IndexOf(member.Status) is var index and >= 0) counts[index]++;
            unreachable = state.Unreachable.Count;
        }
        else
        {
            counts[IndexOf(MemberStatus.Up)] = 1;
        }
        for (var i = 0; i < counts.Length; i++) _members[i].Set(counts[i]);
        _unreachable.Set(unreachable);
    }

    private static int IndexOf(MemberStatus status)
    {
        for (var i = 0; i < Statuses.Length; i++)
            if (Statuses[i].Status == status) return i;
        return -1;
    }
}
