using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// A certificate authority made for one test, and a server certificate it signs for 127.0.0.1 and localhost,
/// so a client that verifies the whole way (<c>SSL Mode=VerifyFull</c>) accepts the server only with this CA.
/// </summary>
public sealed class PostgresCertificates : IDisposable
{
    private readonly ECDsa _caKey;

    private PostgresCertificates(ECDsa caKey, X509Certificate2 ca)
    {
        _caKey = caKey;
        Authority = ca;
    }

    /// <summary>The CA's certificate, with its private key (it signs the server's).</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The CA's certificate, PEM: what a client names as its <c>Root Certificate</c>.</summary>
    public string AuthorityPem => Authority.ExportCertificatePem();

    public static PostgresCertificates NewAuthority(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new PostgresCertificates(key, request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30)));
    }

    /// <summary>A server certificate for 127.0.0.1 and localhost, signed by this CA, with its key.</summary>
    public PostgresTls IssueServer()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Authority, true, false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(Authority, now.AddHours(-1), now.AddDays(7), RandomNumberGenerator.GetBytes(12));
        return new PostgresTls(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        Authority.Dispose();
        _caKey.Dispose();
    }
}
