using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Router.MockUpstream;

/// <summary>
/// A certificate authority made for one test (no system store knows it), issuing server certificates as PEM
/// files a real server (redis-server's or PostgreSQL's TLS) reads.
/// </summary>
public sealed class SelfSignedAuthority : IDisposable
{
    private readonly RSA _key;

    private SelfSignedAuthority(RSA key, X509Certificate2 certificate)
    {
        _key = key;
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    public static SelfSignedAuthority Create(string name)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return new SelfSignedAuthority(key, request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1)));
    }

    /// <summary>Writes the authority's certificate (PEM) to <paramref name="path"/>.</summary>
    public string WriteCertificate(string path)
    {
        File.WriteAllText(path, Certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>A server certificate for <paramref name="dnsName"/> and 127.0.0.1, signed by this authority, and its key, both PEM.</summary>
    public (string CertificatePem, string KeyPem) IssueServerPem(string dnsName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForRSA(_key, RSASignaturePadding.Pkcs1),
            now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(12));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The same as files <c>{prefix}.pem</c> and <c>{prefix}.key</c> in <paramref name="directory"/>.</summary>
    public (string CertificateFile, string KeyFile) IssueServer(string directory, string prefix, string dnsName)
    {
        var (certificatePem, keyPem) = IssueServerPem(dnsName);
        var certificateFile = Path.Combine(directory, prefix + ".pem");
        var keyFile = Path.Combine(directory, prefix + ".key");
        File.WriteAllText(certificateFile, certificatePem);
        File.WriteAllText(keyFile, keyPem);
        return (certificateFile, keyFile);
    }

    /// <summary>The files a PostgreSQL server with TLS needs: a certificate for localhost and 127.0.0.1, and its key.</summary>
    public PostgresTls PostgresFiles()
    {
        var (certificate, key) = IssueServerPem("localhost");
        return new PostgresTls(certificate, key);
    }

    /// <summary>The files a TLS redis-server needs: a server certificate for <paramref name="dnsName"/> and this authority's certificate.</summary>
    public RedisTls RedisFiles(string directory, string dnsName)
    {
        var (certificate, key) = IssueServer(directory, "redis", dnsName);
        return new RedisTls(certificate, key, WriteCertificate(Path.Combine(directory, "ca.pem")));
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
