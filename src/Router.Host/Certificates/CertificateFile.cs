using System.Security.Cryptography;
using System.Text;
using System.Security.Cryptography.X509Certificates;

namespace Router.Host.Certificates;

/// <summary>
/// Reads a certificate with its private key as an operator names it: a PEM certificate with its key (in a file of its
/// own, or in the same file, perhaps encrypted) or a PKCS#12 bundle (.pfx/.p12), told apart by their content. Used for
/// <c>router.http.tls</c> and <c>router.cluster.tls</c>, at start and in <c>router config check</c>, so that a missing,
/// unreadable or mismatched file fails there with the setting at fault rather than at the first TLS handshake.
/// The messages name files and settings, never the password.
/// </summary>
public static class CertificateFile
{
    /// <param name="setting">The block naming the files, e.g. <c>router.http.tls</c>: errors name its <c>certificate</c>, <c>key</c> and <c>password</c>.</param>
    public static X509Certificate2 Load(string setting, string certificatePath, string? keyPath, string? password)
    {
        var bytes = ReadBytes(certificatePath, $"{setting}.certificate");
        var certificate = IsPem(bytes)
            ? LoadPem(setting, certificatePath, Encoding.UTF8.GetString(bytes), keyPath, password)
            : LoadPkcs12(setting, certificatePath, bytes, password);
        if (!certificate.HasPrivateKey)
            throw new CertificateFileException($"{setting}.certificate: {certificatePath} holds no private key: name the key's file in {setting}.key");
        return certificate;
    }

    /// <summary>
    /// The other certificates of the file (a PEM <c>fullchain.pem</c>'s intermediates, a bundle's CA certificates), sent
    /// after <paramref name="leaf"/> in the handshake so that clients trusting only the root can build the chain.
    /// </summary>
    public static X509Certificate2Collection Intermediates(string setting, string certificatePath, string? password, X509Certificate2 leaf)
    {
        var bytes = ReadBytes(certificatePath, $"{setting}.certificate");
        var all = new X509Certificate2Collection();
        if (IsPem(bytes)) all.ImportFromPem(Encoding.UTF8.GetString(bytes));
        else all = X509CertificateLoader.LoadPkcs12Collection(bytes, password);
        return [.. all.Where(certificate => certificate.Thumbprint != leaf.Thumbprint)];
    }

    /// <summary>One line for the start-up log: whose certificate, until when.</summary>
    public static string Describe(X509Certificate2 certificate) =>
        $"{certificate.Subject}, valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC";

    private static bool IsPem(byte[] bytes) => bytes.AsSpan().IndexOf("-----BEGIN "u8) >= 0;

    private static X509Certificate2 LoadPkcs12(string setting, string path, byte[] bytes, string? password)
    {
        try
        {
            return X509CertificateLoader.LoadPkcs12(bytes, password);
        }
        catch (CryptographicException)
        {
            throw new CertificateFileException($"{setting}.certificate: {path} is not PEM and could not be opened as a PKCS#12 file with " +
                (password is null ? $"no password (set {setting}.password)" : $"{setting}.password (a wrong password, or not a .pfx/.p12 file)"));
        }
    }

    private static X509Certificate2 LoadPem(string setting, string certificatePath, string certificateText, string? keyPath, string? password)
    {
        if (!certificateText.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            throw new CertificateFileException($"{setting}.certificate: {certificatePath} holds no PEM certificate");
        var keySetting = keyPath is null ? $"{setting}.certificate" : $"{setting}.key";
        var keyFile = keyPath ?? certificatePath;
        var keyText = keyPath is null ? certificateText : Encoding.UTF8.GetString(ReadBytes(keyPath, keySetting));
        if (!keyText.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw new CertificateFileException(keyPath is null
                ? $"{setting}.certificate: {certificatePath} holds no private key: name the key's file in {setting}.key"
                : $"{setting}.key: {keyFile} holds no PEM private key");
        var encrypted = keyText.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal);
        if (encrypted && password is null)
            throw new CertificateFileException($"{keySetting}: the private key in {keyFile} is encrypted; set {setting}.password");
        try
        {
            return encrypted
                ? X509Certificate2.CreateFromEncryptedPem(certificateText, keyText, password)
                : X509Certificate2.CreateFromPem(certificateText, keyText);
        }
        // A key of another certificate is an ArgumentException; a key that does not decode, a CryptographicException.
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new CertificateFileException($"{keySetting}: {keyFile} is not the private key of {setting}.certificate {certificatePath}" +
                (encrypted ? $", or {setting}.password does not open it" : ""));
        }
    }

    private static byte[] ReadBytes(string path, string setting)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CertificateFileException($"{setting}: {path} does not exist");
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new CertificateFileException($"{setting}: {path} cannot be read by the user the router runs as ({e.Message})");
        }
    }
}

/// <summary>A certificate or key file that cannot serve; the message names the setting and the file, never a password.</summary>
public sealed class CertificateFileException(string message) : Exception(message);
