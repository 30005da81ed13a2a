using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Router.Host.Caching;

/// <summary>
/// Redis's TLS certificate checked against the CA the operator named (<c>router.cache.redis-ca</c>), which is
/// usually a private one the system does not know. The certificate must chain to that CA, whatever else the
/// system trusts, and name the host (<c>sslHost=</c> or the endpoint's): only a chain to an unknown root is
/// forgiven, and only when the root is this one.
/// </summary>
public static class RedisCaTrust
{
    public static RemoteCertificateValidationCallback Callback(X509Certificate2 authority) => (_, certificate, _, errors) =>
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        // A private CA publishes no revocation list.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (certificate is X509Certificate2 leaf) return chain.Build(leaf);
        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(copy);
    };
}
