using System.Security.Cryptography.X509Certificates;
using Router.Contracts.Configuration;
using Router.Host.Certificates;

namespace Router.Host.Configuration;

/// <summary>The certificate <c>router.http.tls</c> names, read at start and in <c>router config check</c> (<see cref="CertificateFile"/>).</summary>
public static class TlsCertificateFile
{
    private const string Setting = "router.http.tls";

    public static X509Certificate2 Load(HttpTlsSettings tls) =>
        Checked(() => CertificateFile.Load(Setting, tls.CertificatePath, tls.KeyPath, tls.Password));

    /// <inheritdoc cref="CertificateFile.Intermediates"/>
    public static X509Certificate2Collection Intermediates(HttpTlsSettings tls, X509Certificate2 leaf) =>
        Checked(() => CertificateFile.Intermediates(Setting, tls.CertificatePath, tls.Password, leaf));

    public static string Describe(X509Certificate2 certificate) => CertificateFile.Describe(certificate);

    private static T Checked<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (CertificateFileException e)
        {
            throw new ConfigException(e.Message);
        }
    }
}
