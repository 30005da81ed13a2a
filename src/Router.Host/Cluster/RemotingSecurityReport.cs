using System.Net;
using Router.Contracts.Configuration;

namespace Router.Host.Cluster;

/// <summary>
/// What a pair node says at start about its remoting: over TLS, what it presents and trusts; in cleartext on an
/// address other hosts can reach, one loud warning naming the setting that fixes it, since every key's policy,
/// secret hash and settlement crosses that link and any host reaching the port may try to join.
/// </summary>
public static class RemotingSecurityReport
{
    public static void Log(ILogger logger, ClusterSettings cluster)
    {
        if (!cluster.Enabled) return;
        if (cluster.Tls is { } tls)
            logger.LogInformation("Cluster remoting on {Address} over TLS: {Tls}", cluster.AkkaAddress(cluster.SelfSeed), tls);
        else if (!IsLoopback(cluster.Hostname))
            logger.LogWarning("Cluster remoting on {Address} is NOT encrypted and any host that reaches the port can try to join: " +
                "set router.cluster.tls.certificate and router.cluster.tls.ca (`router cluster cert` makes them; docs/operations.md)",
                cluster.AkkaAddress(cluster.SelfSeed));
    }

    /// <summary>Whether only this host can reach the address: a loopback IP, or <c>localhost</c>.</summary>
    public static bool IsLoopback(string hostname) =>
        string.Equals(hostname, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(hostname, out var ip) && IPAddress.IsLoopback(ip));
}
