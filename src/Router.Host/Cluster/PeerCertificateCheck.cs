using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;

namespace Router.Host.Cluster;

/// <summary>
/// Whether the certificate a peer presents on the remoting (as the server this node connects to, or as the client
/// that connects here: both present one) belongs to the pair: signed by one of the pair's CA certificates
/// (<c>router.cluster.tls.ca</c>; the chain is built against those alone, never the system's store, and is checked for
/// signatures and validity dates, not for revocation, which a private CA does not publish), and, when fingerprints are
/// pinned (<c>router.cluster.tls.peer-thumbprints</c>), one of them. With both set, both must hold. The name in the
/// certificate is not compared with the peer's address: the pair's nodes are who the CA signed, whatever address
/// they connect from.
/// </summary>
public sealed class PeerCertificateCheck(X509Certificate2Collection authorities, IReadOnlySet<string> pinnedThumbprints, TimeProvider time)
{
    /// <summary>Akka's validation callback: a refused peer is logged with the reason (on a warning line), and its connection fails.</summary>
    public bool Validate(X509Certificate2? certificate, X509Chain? handshakeChain, string remotePeer, SslPolicyErrors errors, ILoggingAdapter log)
    {
        // The handshake's own verdict (errors) is against the system's store and the peer's name; this check replaces it.
        var refusal = Refusal(certificate, handshakeChain);
        if (refusal is null) return true;
        log.Warning("Refused the remoting connection with {0}: {1}", remotePeer, refusal);
        return false;
    }

    /// <summary>Why the certificate is refused, or null when it belongs to the pair.</summary>
    public string? Refusal(X509Certificate2? certificate, X509Chain? handshakeChain)
    {
        if (certificate is null) return "it presented no certificate (router.cluster.tls needs one on both nodes)";
        if (authorities.Count > 0 && ChainRefusal(certificate, handshakeChain) is { } chainRefusal) return chainRefusal;
        if (pinnedThumbprints.Count == 0) return null;
        var now = time.GetUtcNow().UtcDateTime;
        if (certificate.NotAfter.ToUniversalTime() < now || certificate.NotBefore.ToUniversalTime() > now)
            return $"its certificate ({Describe(certificate)}) is valid only from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}";
        return pinnedThumbprints.Contains(certificate.GetCertHashString(HashAlgorithmName.SHA256)) || pinnedThumbprints.Contains(certificate.Thumbprint)
            ? null
            : $"its certificate ({Describe(certificate)}) is not one of router.cluster.tls.peer-thumbprints";
    }

    /// <summary>Why the certificate does not chain to one of the pair's CA certificates, or null when it does.</summary>
    public string? ChainRefusal(X509Certificate2 certificate, X509Chain? handshakeChain)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        // Intermediates the peer sent with its certificate, if the pair's CA signs through one.
        if (handshakeChain is not null)
            foreach (var element in handshakeChain.ChainElements)
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span)) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        if (chain.Build(certificate)) return null;
        var problems = chain.ChainStatus.Select(s => s.Status == X509ChainStatusFlags.UntrustedRoot || s.Status == X509ChainStatusFlags.PartialChain
            ? "not signed by the pair's CA"
            : s.StatusInformation.Trim().TrimEnd('.')).Distinct();
        return $"its certificate ({Describe(certificate)}) does not pass router.cluster.tls.ca: {string.Join("; ", problems)}";
    }

    private static string Describe(X509Certificate2 certificate) =>
        $"{certificate.Subject}, issued by {certificate.Issuer}, SHA-256 {certificate.GetCertHashString(HashAlgorithmName.SHA256)}";
}
