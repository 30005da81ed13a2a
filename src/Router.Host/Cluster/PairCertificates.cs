using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Router.Host.Cluster;

/// <summary>
/// The certificates of <c>router.cluster.tls</c> made here, for a homelab without a CA of its own: a self-signed CA
/// (<c>ca.pem</c>, its key <c>ca.key</c>) and one certificate per node (<c>NAME.pem</c>, <c>NAME.key</c>), each signed by
/// the CA and good as TLS server and client (a node is both). Keys are ECDSA P-256, written in PEM (PKCS#8) with mode
/// 0600; certificates with 0644. A directory that already holds <c>ca.pem</c> and <c>ca.key</c> keeps its CA, so a node
/// (a replacement, a third member) can be added later; an existing node's files are never overwritten.
/// </summary>
public static class PairCertificates
{
    public const string CaCertificateFile = "ca.pem", CaKeyFile = "ca.key";

    /// <summary>A node to certify: its name (the files' and the certificate's) and the addresses it goes by (IPs or DNS names).</summary>
    public sealed record NodeRequest(string Name, IReadOnlyList<string> Hosts);

    /// <summary>A certificate written: where, and its SHA-256 fingerprint (what <c>peer-thumbprints</c> pins).</summary>
    public sealed record Written(string Name, string CertificatePath, string KeyPath, string Sha256);

    public sealed record Result(Written Ca, bool CaReused, IReadOnlyList<Written> Nodes);

    private static readonly UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>A node's name as it may appear in a file name and a certificate's subject.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <exception cref="InvalidOperationException">A file to write exists already, or the CA is only half there.</exception>
    public static Result Make(string directory, IReadOnlyList<NodeRequest> nodes, TimeSpan validity, TimeProvider time)
    {
        directory = Path.GetFullPath(directory);
        var caPath = Path.Combine(directory, CaCertificateFile);
        var caKeyPath = Path.Combine(directory, CaKeyFile);
        foreach (var node in nodes)
            foreach (var file in new[] { node.Name + ".pem", node.Name + ".key" })
                if (File.Exists(Path.Combine(directory, file)))
                    throw new InvalidOperationException($"{Path.Combine(directory, file)} exists already: remove it, or name the node otherwise");
        if (File.Exists(caPath) != File.Exists(caKeyPath))
            throw new InvalidOperationException($"{directory} holds only one of {CaCertificateFile} and {CaKeyFile}: a CA needs both (or neither, to make one)");

        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, Private | UnixFileMode.UserExecute);
        var now = time.GetUtcNow();
        var reused = File.Exists(caPath);
        using var ca = reused ? X509Certificate2.CreateFromPemFile(caPath, caKeyPath) : NewCa(now, validity, caPath, caKeyPath);
        var written = nodes.Select(node => NewNode(node, ca, now, validity, directory)).ToList();
        return new Result(new Written("ca", caPath, caKeyPath, Sha256(ca)), reused, written);
    }

    public static string Sha256(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    private static X509Certificate2 NewCa(DateTimeOffset now, TimeSpan validity, string certificatePath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // A name of its own (a random suffix), so that a log line naming a stranger's issuer is not mistaken for the pair's.
        var request = new CertificateRequest($"CN=Router pair CA {now:yyyy-MM-dd} {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
            key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(now.AddMinutes(-5), now + validity);
        Write(keyPath, key.ExportPkcs8PrivateKeyPem(), Private);
        Write(certificatePath, ca.ExportCertificatePem(), Public);
        return ca;
    }

    private static Written NewNode(NodeRequest node, X509Certificate2 ca, DateTimeOffset now, TimeSpan validity, string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={node.Name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // A node accepts connections (server) and makes them (client), with the same certificate.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication"), new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in node.Hosts.Count > 0 ? node.Hosts : [node.Name])
            if (IPAddress.TryParse(host, out var ip)) names.AddIpAddress(ip);
            else names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var notAfter = now + validity < ca.NotAfter ? now + validity : new DateTimeOffset(ca.NotAfter);
        using var certificate = request.Create(ca, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        var certificatePath = Path.Combine(directory, node.Name + ".pem");
        var keyPath = Path.Combine(directory, node.Name + ".key");
        Write(keyPath, key.ExportPkcs8PrivateKeyPem(), Private);
        Write(certificatePath, certificate.ExportCertificatePem(), Public);
        return new Written(node.Name, certificatePath, keyPath, Sha256(certificate));
    }

    /// <summary>Creates the file with its mode from the start: a key is never readable by others, not even for a moment.</summary>
    private static void Write(string path, string pem, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = mode;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(pem + "\n");
    }
}
