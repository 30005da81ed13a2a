using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Router.Contracts.Configuration;

namespace Router.Host.Configuration;

/// <summary>
/// Reads the certificate <c>router.http.tls</c> names, at start and in <c>router config check</c>, so that a missing,
/// unreadable or mismatched file fails there with the setting at fault rather than at the first TLS handshake.
/// The messages name files and settings, never the password.
/// </summary>
public static class TlsCertificateFile
{
    public static X509Certificate2 Load(HttpTlsSettings tls)
    {
        var certificate = tls.IsPkcs12 ? LoadPkcs12(tls) : LoadPem(tls);
        if (!certificate.HasPrivateKey)
            throw new ConfigException($"router.http.tls.certificate: {tls.CertificatePath} holds no private key; a server certificate needs one");
        return certificate;
    }

    /// <summary>
    /// The other certificates of the file (a PEM <c>fullchain.pem</c>'s intermediates, a bundle's CA certificates), sent
    /// after <paramref name="leaf"/> in the handshake so that clients trusting only the root can build the chain.
    /// </summary>
    public static X509Certificate2Collection Intermediates(HttpTlsSettings tls, X509Certificate2 leaf)
    {
        var all = new X509Certificate2Collection();
        if (tls.IsPkcs12) all = X509CertificateLoader.LoadPkcs12Collection(ReadBytes(tls.CertificatePath, "router.http.tls.certificate"), tls.Password);
        else all.ImportFromPem(ReadText(tls.CertificatePath, "router.http.tls.certificate"));
        return [.. all.Where(certificate => certificate.Thumbprint != leaf.Thumbprint)];
    }

    /// <summary>One line for the start-up log: whose certificate, until when.</summary>
    public static string Describe(X509Certificate2 certificate) =>
        $"{certificate.Subject}, valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC";

    private static X509Certificate2 LoadPkcs12(HttpTlsSettings tls)
    {
        var bytes = ReadBytes(tls.CertificatePath, "router.http.tls.certificate");
        try
        {
            return X509CertificateLoader.LoadPkcs12(bytes, tls.Password);
        }
        catch (CryptographicException)
        {
            throw new ConfigException($"router.http.tls.certificate: {tls.CertificatePath} could not be opened as a PKCS#12 file with " +
                (tls.Password is null ? "no password (set router.http.tls.password)" : "router.http.tls.password (a wrong password, or not a .pfx/.p12 file)"));
        }
    }

    private static X509Certificate2 LoadPem(HttpTlsSettings tls)
    {
        var certificateText = ReadText(tls.CertificatePath, "router.http.tls.certificate");
        if (!certificateText.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            throw new ConfigException($"router.http.tls.certificate: {tls.CertificatePath} holds no PEM certificate " +
                "(a PKCS#12 bundle must be named .pfx or .p12)");
        var keySetting = tls.KeyPath is null ? "router.http.tls.certificate" : "router.http.tls.key";
        var keyPath = tls.KeyPath ?? tls.CertificatePath;
        var keyText = tls.KeyPath is null ? certificateText : ReadText(tls.KeyPath, keySetting);
        if (!keyText.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw new ConfigException(tls.KeyPath is null
                ? $"router.http.tls.key is not set and {tls.CertificatePath} holds no PEM private key: name the key's file in router.http.tls.key"
                : $"router.http.tls.key: {keyPath} holds no PEM private key");
        var encrypted = keyText.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal);
        if (encrypted && tls.Password is null)
            throw new ConfigException($"{keySetting}: the private key in {keyPath} is encrypted; set router.http.tls.password");
        try
        {
            return encrypted
                ? X509Certificate2.CreateFromEncryptedPem(certificateText, keyText, tls.Password)
                : X509Certificate2.CreateFromPem(certificateText, keyText);
        }
        // A key of another certificate is an ArgumentException; a key that does not decode, a CryptographicException.
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new ConfigException($"{keySetting}: the private key in {keyPath} is not the key of the certificate in {tls.CertificatePath}" +
                (encrypted ? ", or router.http.tls.password does not open it" : ""));
        }
    }

    private static string ReadText(string path, string setting) => System.Text.Encoding.UTF8.GetString(ReadBytes(path, setting));

    private static byte[] ReadBytes(string path, string setting)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException($"{setting}: there is no file {path}");
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ConfigException($"{setting}: {path} cannot be read by the router ({e.Message})");
        }
    }
}
