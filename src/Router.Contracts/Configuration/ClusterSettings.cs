namespace Router.Contracts.Configuration;

/// <summary>
/// <c>router.cluster</c>: the pair. Off, the node is a cluster of one with its actors local; on, it
/// joins its peer over Akka remoting and the key budget actors are sharded across both.
/// </summary>
/// <param name="Hostname">The address the peer reaches this node at (also what it binds to).</param>
/// <param name="SeedNodes">Both nodes as <c>host:port</c>, in the same order on both.</param>
/// <param name="JoinTimeout">How long a starting node looks for a running peer before it may form the cluster itself.</param>
/// <param name="LeaseTtl">How long the cluster's lease in the shared database outlives its holder's last renewal.</param>
/// <param name="DownAfter">How long a peer may be unreachable before the split-brain resolver decides.</param>
/// <param name="DrainDelay">On SIGTERM, how long readiness reports false before the node stops taking requests.</param>
/// <param name="HeartbeatPause">How long the peer's heartbeats may stop before it counts as unreachable.</param>
/// <param name="HandoverTimeout">How long a request waits for a key's actor that does not answer (moving here from a dead peer).</param>
/// <remarks>Records print every property: <see cref="Tls"/> prints without its password.</remarks>
public sealed record ClusterSettings(
    bool Enabled,
    string Hostname,
    int Port,
    IReadOnlyList<string> SeedNodes,
    TimeSpan JoinTimeout,
    TimeSpan LeaseTtl,
    TimeSpan DownAfter,
    TimeSpan DrainDelay,
    TimeSpan HeartbeatPause,
    TimeSpan HandoverTimeout)
{
    public const string SystemName = "router";

    /// <summary>Akka's protocol of a member address: <c>akka.tcp</c>, or <c>akka.ssl.tcp</c> with TLS.</summary>
    public const string TcpProtocol = "akka.tcp", TlsProtocol = "akka.ssl.tcp";

    /// <summary>TLS on the remoting between the nodes (<c>router.cluster.tls</c>); null: cleartext.</summary>
    public ClusterTlsSettings? Tls { get; init; }

    public string Protocol => Tls is null ? TcpProtocol : TlsProtocol;

    public static readonly ClusterSettings Off = new(false, "127.0.0.1", 4053, [], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3),
        TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));

    public string SelfSeed => $"{Hostname}:{Port}";

    /// <summary>A <c>host:port</c> seed as an Akka address of this cluster (its protocol says whether it is TLS).</summary>
    public string AkkaAddress(string seed) => AkkaAddress(seed, Protocol);

    /// <summary>A <c>host:port</c> seed as an Akka address over <paramref name="protocol"/>.</summary>
    public static string AkkaAddress(string seed, string protocol) => $"{protocol}://{SystemName}@{seed}";
}
