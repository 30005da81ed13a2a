using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Router.Contracts.Wire;

namespace Router.Host.Admin;

/// <summary>
/// The cluster as this node sees it, and the operator's membership commands (leave, down, join, down
/// every unreachable member), carried out through Akka.Cluster on this node. A single node is a cluster
/// of one: it shows itself, up, and refuses the commands.
/// </summary>
public sealed class ClusterAdmin(AdminNode node, IServiceProvider services)
{
    // Resolved when asked: the actor system starts after the endpoints are mapped.
    private Akka.Cluster.Cluster Cluster => node.Clustered
        ? Akka.Cluster.Cluster.Get(services.GetRequiredService<ActorSystem>())
        : throw new InvalidOperationException("not a cluster node");

    public ClusterView Show()
    {
        if (!node.Clustered)
            return new ClusterView(node.Name, false, node.Name, [new ClusterMemberView(node.Name, "up", [], true, true, true)]);
        var cluster = Cluster;
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members
            .Select(m => new ClusterMemberView(m.Address.ToString(), StatusName(m.Status), RolesOf(m.Roles),
                !unreachable.Contains(m.Address), m.Address == state.Leader, m.Address == cluster.SelfAddress))
            .ToList();
        // A member may already have left the member set but still be unreachable (it is being removed).
        members.AddRange(state.Unreachable.Where(m => !state.Members.Contains(m))
            .Select(m => new ClusterMemberView(m.Address.ToString(), StatusName(m.Status), RolesOf(m.Roles), false, false, false)));
        return new ClusterView(cluster.SelfAddress.ToString(), true, state.Leader?.ToString(), members);
    }

    /// <summary>Asks the member to leave gracefully: its shards are handed over, then it stops.</summary>
    public ClusterActionResult Leave(string addressText)
    {
        var address = MemberAddress(addressText, "cluster leave");
        Cluster.Leave(address);
        return new ClusterActionResult(node.Name, "leave", [address.ToString()]);
    }

    /// <summary>Marks the member down: the others stop waiting for it and take its shards over at once.</summary>
    public ClusterActionResult Down(string addressText)
    {
        var address = MemberAddress(addressText, "cluster down");
        Cluster.Down(address);
        return new ClusterActionResult(node.Name, "down", [address.ToString()]);
    }

    /// <summary>Asks this node to join the cluster of the node at the address (for a node that formed no cluster or was downed and restarted).</summary>
    public ClusterActionResult Join(string addressText)
    {
        if (!node.Clustered) throw AdminErrors.NotClustered("cluster join");
        var address = Parse(addressText, node.Protocol);
        var cluster = Cluster;
        if (cluster.State.Members.Any(m => m.Address == address && m.Status == MemberStatus.Up) && cluster.SelfMember.Status == MemberStatus.Up)
            throw AdminErrors.Conflict($"{address} is already an up member of this node's cluster.", "already_member");
        cluster.Join(address);
        return new ClusterActionResult(node.Name, "join", [address.ToString()]);
    }

    /// <summary>Downs every member this node cannot reach; the split-brain resolver would do it after down-after, this does it now.</summary>
    public ClusterActionResult DownUnreachable()
    {
        if (!node.Clustered) throw AdminErrors.NotClustered("cluster down-unreachable");
        var cluster = Cluster;
        var unreachable = cluster.State.Unreachable.Select(m => m.Address).ToList();
        foreach (var address in unreachable) cluster.Down(address);
        return new ClusterActionResult(node.Name, "down-unreachable", [.. unreachable.Select(a => a.ToString())]);
    }

    private Address MemberAddress(string text, string what)
    {
        if (!node.Clustered) throw AdminErrors.NotClustered(what);
        var address = Parse(text, node.Protocol);
        var state = Cluster.State;
        return state.Members.Any(m => m.Address == address) || state.Unreachable.Any(m => m.Address == address)
            ? address
            : throw AdminErrors.NotFound($"{address} is not a member of this node's cluster; `router cluster show` lists them.", "member_not_found",
                "address");
    }

    /// <summary>
    /// A member's address as Akka writes it (<c>akka.tcp://router@host:port</c>, <c>akka.ssl.tcp://…</c> with TLS) or as a
    /// seed node (<c>host:port</c>), which takes the cluster's <paramref name="protocol"/>.
    /// </summary>
    public static Address Parse(string text, string protocol = Router.Contracts.Configuration.ClusterSettings.TcpProtocol)
    {
        text = text.Trim();
        var full = text.Contains("://", StringComparison.Ordinal) ? text : Router.Contracts.Configuration.ClusterSettings.AkkaAddress(text, protocol);
        try
        {
            var address = Address.Parse(full);
            if (address.Host is { Length: > 0 } && address.Port is > 0 and < 65536) return address;
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            // refused below
        }
        throw AdminBody.Bad("address", $"'{text}' is not a member address: give host:port (its remoting port) or akka.tcp://router@host:port.");
    }

    public static string StatusName(MemberStatus status) => status switch
    {
        MemberStatus.Joining => "joining",
        MemberStatus.WeaklyUp => "weakly_up",
        MemberStatus.Up => "up",
        MemberStatus.Leaving => "leaving",
        MemberStatus.Exiting => "exiting",
        MemberStatus.Down => "down",
        MemberStatus.Removed => "removed",
        _ => status.ToString().ToLowerInvariant(),
    };

    internal static IReadOnlyList<string> RolesOf(ImmutableHashSet<string> roles) => [.. roles.Order(StringComparer.Ordinal)];
}
