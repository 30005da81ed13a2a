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

    private ServerCertificateFiles(X509Certificate2 certificate, X509Certificate2 root, string directory)
    {
        Certificate = certificate;
        Root = root;
        CertificatePem = Path.Combine(directory, "router.crt");
        KeyPem = Path.Combine(directory, "router.key");
        Bundle = Path.Combine(directory, "router.pfx");
        OtherKeyPem = Path.Combine(directory, "other.key");
    }

    /// <summary>The certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>What clients trust: the certificate itself, or for <see cref="CreateChained"/> the root CA (not in the files).</summary>
    public X509Certificate2 Root { get; }

    public string CertificatePem { get; }
    public string KeyPem { get; }
    public string Bundle { get; }
    public string OtherKeyPem { get; }

    public static ServerCertificateFiles Create(string directory, string subject = "CN=router-test")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var made = ServerRequest(subject, key).CreateSelfSigned(NotBefore, NotAfter);
        return Write(directory, made, made, key, []);
    }

    /// <summary>
    /// A server certificate issued by an intermediate CA under a root CA, as a public CA issues one: the PEM file is
    /// the full chain (server certificate, then the intermediate) and the bundle holds both; clients trust the root only.
    /// </summary>
    public static ServerCertificateFiles CreateChained(string directory, string subject = "CN=router-chained")
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var root = CaRequest("CN=router-test-root", rootKey).CreateSelfSigned(NotBefore, NotAfter.AddDays(1));
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediate = CaRequest("CN=router-test-intermediate", intermediateKey)
            .Create(root, NotBefore, NotAfter.AddHours(12), [1, 2, 3, 4]);
        using var intermediateWithKey = intermediate.CopyWithPrivateKey(intermediateKey);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = ServerRequest(subject, key).Create(intermediateWithKey, NotBefore, NotAfter, [5, 6, 7, 8]);
        var made = issued.CopyWithPrivateKey(key);
        return Write(directory, made, X509CertificateLoader.LoadCertificate(root.RawData), key, [X509CertificateLoader.LoadCertificate(intermediate.RawData)]);
    }

    private static DateTimeOffset NotBefore => DateTimeOffset.UtcNow.AddMinutes(-5);
    private static DateTimeOffset NotAfter => DateTimeOffset.UtcNow.AddDays(1);

    private static CertificateRequest ServerRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // serverAuth
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        return request;
    }

    private static CertificateRequest CaRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request;
    }

    private static ServerCertificateFiles Write(string directory, X509Certificate2 made, X509Certificate2 root, ECDsa key, X509Certificate2[] intermediates)
    {
        Directory.CreateDirectory(directory);
        var files = new ServerCertificateFiles(made, root, directory);
        File.WriteAllText(files.CertificatePem, string.Join("\n", new[] { made }.Concat(intermediates).Select(c => c.ExportCertificatePem())) + "\n");
        File.WriteAllText(files.KeyPem, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(files.Bundle, new X509Certificate2Collection((X509Certificate2[])[made, .. intermediates]).Export(X509ContentType.Pkcs12, BundlePassword)!);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(files.OtherKeyPem, other.ExportPkcs8PrivateKeyPem());
        return files;
    }

    /// <summary>
    /// Accepts a server certificate only when it chains to <see cref="Root"/> alone (custom root trust), through no
    /// certificate but those the server sent, and names the host asked for: a real check, with one root.
    /// </summary>
    public bool Trusts(X509Certificate? presented, X509Chain? sent, SslPolicyErrors errors)
    {
        if (presented is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(Root.RawData));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        // The intermediates the server sent in the handshake (SslStream gives them as the extra store of its chain).
        foreach (var extra in sent?.ChainPolicy.ExtraStore ?? []) chain.ChainPolicy.ExtraStore.Add(extra);
        return chain.Build(X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
    }

    /// <summary>A handler whose TLS trusts <see cref="Root"/> (see <see cref="Trusts"/>).</summary>
    public SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, presented, sent, errors) => Trusts(presented, sent, errors) },
    };

    public void Dispose()
    {
        Certificate.Dispose();
        Root.Dispose();
    }
}
