using Akka.Actor;

namespace Router.Host.Cluster;

/// <summary>
/// When a node of the pair has left it: removed from the cluster (downed by the split-brain resolver on the losing
/// side of a cut, or after a graceful leave), or its actor system stopped. Requests still waiting for a key's actor
/// then end at once: none can answer here any more.
/// </summary>
public static class NodeLeft
{
    /// <summary>
    /// A token cancelled when the node has left; it lives as long as the process. None on a single node, which has no
    /// pair to leave: its requests need not link to it.
    /// </summary>
    public static CancellationToken Token(ActorSystem system)
    {
        if (system is not ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider }) return CancellationToken.None;
        var left = new CancellationTokenSource();
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberRemoved(left.Cancel);
        system.WhenTerminated.ContinueWith(_ => left.Cancel(), TaskScheduler.Default);
        return left.Token;
    }
}
