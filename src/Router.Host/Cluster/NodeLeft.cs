using Akka.Actor;

namespace Router.Host.Cluster;

/// <summary>
/// When a node of the pair has left it: removed from the cluster (downed by the split-brain resolver on the losing
/// side of a cut, or after a graceful leave), or its actor system stopped. Requests still waiting for a key's actor
/// then end at once: none can answer here any more. Made before the actor system, and told of it when it starts
/// (<see cref="Watch"/>), so the request path holds the token from its first request.
/// </summary>
public sealed class NodeLeft
{
    private readonly CancellationTokenSource? _left;

    /// <param name="clustered">Whether this node is one of a pair: a single node has no pair to leave, and its requests need not link to it.</param>
    public NodeLeft(bool clustered) => _left = clustered ? new CancellationTokenSource() : null;

    /// <summary>Cancelled when the node has left; it lives as long as the process. None on a single node.</summary>
    public CancellationToken Token => _left?.Token ?? CancellationToken.None;

    /// <summary>Starts watching the node's actor system (at its start).</summary>
    public void Watch(ActorSystem system)
    {
        if (_left is null) return;
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberRemoved(_left.Cancel);
        system.WhenTerminated.ContinueWith(_ => _left.Cancel(), TaskScheduler.Default);
    }
}
