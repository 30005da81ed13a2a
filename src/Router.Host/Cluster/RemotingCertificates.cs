using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Router.Contracts.Configuration;
using Router.Host.Certificates;

namespace Router.Host.Cluster;

/// <summary>
/// What <c>router.cluster.tls</c> names, read from its files: this node's certificate with its private key, the CA
/// certificates a peer's must be signed by, and the peer certificates' pinned fingerprints. Every failure names the
/// setting at fault, so a node with a missing, unreadable or mismatched file refuses to start and says why.
/// </summary>
public sealed class RemotingCertificates
{
    private const string Setting = "router.cluster.tls";

    private RemotingCertificates(X509Certificate2 certificate, PeerCertificateCheck check)
    {
        Certificate = certificate;
        Check = check;
    }

    /// <summary>This node's certificate, with its private key: what it presents to its peer, as server and as client.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>What a peer's certificate must pass.</summary>
    public PeerCertificateCheck Check { get; }

    public static RemotingCertificates Load(ClusterTlsSettings tls, TimeProvider time)
    {
        var certificate = LoadOwn(tls, time);
        var authorities = tls.CaPath is { } ca ? LoadAuthorities(ca) : [];
        var pins = tls.PeerThumbprints.Select(NormalizedThumbprint).ToHashSet(StringComparer.Ordinal);
        if (authorities.Count == 0 && pins.Count == 0)
            throw new RemotingTlsException($"{Setting}.certificate is set but neither {Setting}.ca nor {Setting}.peer-thumbprints: " +
                "a peer's certificate would be checked against nothing, so any host could join. Name the pair's CA (router cluster cert makes one)");
        var check = new PeerCertificateCheck(authorities, pins, time);
        // The peer checks this node's certificate as this node checks the peer's: one the CA did not sign is refused there.
        if (authorities.Count > 0 && check.ChainRefusal(certificate, null) is { } refusal)
            throw new RemotingTlsException($"{Setting}.certificate {tls.CertificatePath} is not signed by {Setting}.ca {tls.CaPath}, so the peer " +
                $"would refuse it: {refusal}");
        return new RemotingCertificates(certificate, check);
    }

    /// <summary>A fingerprint as written by openssl (<c>AB:CD:…</c>) or by .NET (<c>abcd…</c>), in one form: upper-case hex.</summary>
    public static string NormalizedThumbprint(string text)
    {
        var hex = text.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return hex.Length is 40 or 64 && hex.All(Uri.IsHexDigit)
            ? hex
            : throw new RemotingTlsException($"{Setting}.peer-thumbprints: '{text}' is not a SHA-256 (or SHA-1) fingerprint in hex, " +
                "as `openssl x509 -noout -fingerprint -sha256 -in node.pem` or `router cluster cert` prints it");
    }

    private static X509Certificate2 LoadOwn(ClusterTlsSettings tls, TimeProvider time)
    {
        var path = tls.CertificatePath;
        X509Certificate2 certificate;
        try
        {
            certificate = CertificateFile.Load(Setting, path, tls.KeyPath, tls.Password);
        }
        catch (CertificateFileException e)
        {
            throw new RemotingTlsException(e.Message, e);
        }
        // The private key is the node's identity: a copy every user of the host can read is one any of them can join with.
        var keyFile = tls.KeyPath ?? path;
        var keySetting = tls.KeyPath is null ? $"{Setting}.certificate" : $"{Setting}.key";
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(keyFile) & UnixFileMode.OtherRead) != 0)
            throw new RemotingTlsException($"{keySetting}: {keyFile} holds the node's private key and every user of the host can read it; " +
                $"chmod 600 {keyFile} (owned by the user the router runs as)");
        var now = time.GetUtcNow().UtcDateTime;
        if (certificate.NotAfter.ToUniversalTime() < now || certificate.NotBefore.ToUniversalTime() > now)
            throw new RemotingTlsException($"{Setting}.certificate {path} is valid only from {certificate.NotBefore.ToUniversalTime():u} " +
                $"to {certificate.NotAfter.ToUniversalTime():u}: make a new one (router cluster cert)");
        return certificate;
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var text = Readable(path, $"{Setting}.ca");
        var authorities = new X509Certificate2Collection();
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal)) authorities.ImportFromPemFile(path);
            else authorities.Add(X509CertificateLoader.LoadCertificateFromFile(path));
        }
        catch (CryptographicException e)
        {
            throw new RemotingTlsException($"{Setting}.ca {path} is not a certificate in PEM or DER ({e.Message.TrimEnd('.')})", e);
        }
        return authorities.Count > 0 ? authorities : throw new RemotingTlsException($"{Setting}.ca {path} holds no certificate");
    }

    /// <summary>The file's text (for PEM detection), or an error naming the setting when it is missing or cannot be read.</summary>
    private static string Readable(string path, string setting)
    {
        try
        {
            // Latin-1 reads any bytes: a PKCS#12 or DER file is only searched for a PEM header here, not decoded.
            return File.ReadAllText(path, System.Text.Encoding.Latin1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e is FileNotFoundException or DirectoryNotFoundException ? "does not exist"
                : e is UnauthorizedAccessException ? "cannot be read by the user the router runs as" : e.Message;
            throw new RemotingTlsException($"{setting}: {path} {why}", e);
        }
    }
}
