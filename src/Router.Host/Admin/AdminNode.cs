using Router.Contracts.Configuration;

namespace Router.Host.Admin;

/// <summary>
/// How an admin answer names the node that gave it: breakers, logs and cache counts are per node, so an
/// operator must see which one spoke. A node of the pair is its cluster address; a single node its HTTP address.
/// </summary>
public sealed class AdminNode(RouterSettings settings)
{
    public string Name { get; } = settings.Cluster.Enabled ? settings.Cluster.AkkaAddress(settings.Cluster.SelfSeed) : settings.HttpUrls;

    public bool Clustered => settings.Cluster.Enabled;

    /// <summary>The protocol of the cluster's member addresses: <c>akka.ssl.tcp</c> with TLS.</summary>
    public string Protocol => settings.Cluster.Protocol;
}
