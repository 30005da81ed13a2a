using System.Net;
using Router.Contracts.Configuration;

namespace Router.Host.Cluster;

/// <summary>
/// What a pair node says at start about its remoting: over TLS, what it presents and trusts, and a warning when its
/// certificate expires within <see cref="RenewWithin"/> (then the nodes refuse each other); in cleartext on an
/// address other hosts can reach, one loud warning naming the setting that fixes it, since every key's policy,
/// secret hash and settlement crosses that link and any host reaching the port may try to join.
/// </summary>
public static class RemotingSecurityReport
{
    public static readonly TimeSpan RenewWithin = TimeSpan.FromDays(30);

    public static void Log(ILogger logger, ClusterSettings cluster, TimeProvider? time = null)
    {
        if (!cluster.Enabled) return;
        time ??= TimeProvider.System;
        var address = cluster.AkkaAddress(cluster.SelfSeed);
        if (cluster.Tls is { } tls)
        {
            var expires = Expiry(tls, time);
            logger.LogInformation("Cluster remoting on {Address} over TLS: {Tls}{Expiry}", address, tls,
                expires is { } date ? $", valid until {date:u}" : "");
            if (expires is { } end && end - time.GetUtcNow().UtcDateTime < RenewWithin)
                logger.LogWarning("router.cluster.tls.certificate {Path} expires on {Expiry:u}: from then the nodes refuse each other. " +
                    "Make new certificates (router cluster cert) and restart each node with them before", tls.CertificatePath, end);
        }
        else if (!IsLoopback(cluster.Hostname))
            logger.LogWarning("Cluster remoting on {Address} is NOT encrypted and any host that reaches the port can try to join: " +
                "set router.cluster.tls.certificate and router.cluster.tls.ca (`router cluster cert` makes them; docs/operations.md)", address);
    }

    /// <summary>Whether only this host can reach the address: a loopback IP, or <c>localhost</c>.</summary>
    public static bool IsLoopback(string hostname) =>
        string.Equals(hostname, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(hostname, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>When this node's certificate expires; null if it cannot be read now (the start then fails on it anyway).</summary>
    private static DateTime? Expiry(ClusterTlsSettings tls, TimeProvider time)
    {
        try
        {
            using var certificate = RemotingCertificates.Load(tls, time).Certificate;
            return certificate.NotAfter.ToUniversalTime();
        }
        catch (RemotingTlsException)
        {
            return null;
        }
    }
}
