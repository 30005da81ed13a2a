using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Router.MockUpstream;

/// <summary>
/// A self-signed server certificate for 127.0.0.1 and localhost, made for one test and written into a directory
/// the way an operator would give it to the router: a PEM certificate and its PEM key, the same pair as a
/// password-protected PKCS#12 bundle, and a PEM key of another certificate (for the mismatch case).
/// Clients trust exactly this certificate through <see cref="TrustingHandler"/>, nothing else.
/// </summary>
public sealed class ServerCertificateFiles : IDisposable
{
    public const string BundlePassword = "pfx-pass-3c9e1b7d5a";

    private ServerCertificateFiles(X509Certificate2 certificate, string directory)
    {
        Certificate = certificate;
        CertificatePem = Path.Combine(directory, "router.crt");
        KeyPem = Path.Combine(directory, "router.key");
        Bundle = Path.Combine(directory, "router.pfx");
        OtherKeyPem = Path.Combine(directory, "other.key");
    }

    /// <summary>The certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePem { get; }
    public string KeyPem { get; }
    public string Bundle { get; }
    public string OtherKeyPem { get; }

    public static ServerCertificateFiles Create(string directory, string subject = "CN=router-test")
    {
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // serverAuth
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var files = new ServerCertificateFiles(made, directory);
        File.WriteAllText(files.CertificatePem, made.ExportCertificatePem());
        File.WriteAllText(files.KeyPem, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(files.Bundle, made.Export(X509ContentType.Pkcs12, BundlePassword));
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(files.OtherKeyPem, other.ExportPkcs8PrivateKeyPem());
        return files;
    }

    /// <summary>
    /// Accepts a server certificate only when it chains to this one alone (custom root trust) and names the host
    /// asked for: a real check, with this certificate as the only root.
    /// </summary>
    public bool Trusts(X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(Certificate.RawData));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
    }

    /// <summary>A handler whose TLS trusts this certificate (see <see cref="Trusts"/>).</summary>
    public SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, presented, _, errors) => Trusts(presented, errors) },
    };

    public void Dispose() => Certificate.Dispose();
}
