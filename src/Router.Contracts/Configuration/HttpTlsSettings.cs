namespace Router.Contracts.Configuration;

/// <summary>
/// <c>router.http.tls</c>: the router serves HTTPS itself (HTTP/1.1 and HTTP/2, chosen by ALPN) with the certificate
/// in <paramref name="CertificatePath"/>: a PEM certificate (chain) whose private key is in <paramref name="KeyPath"/>
/// (or in the same file when that is null), or a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>) holding both.
/// <paramref name="Password"/> opens the PKCS#12 file or an encrypted PEM key.
/// </summary>
public sealed record HttpTlsSettings(string CertificatePath, string? KeyPath, string? Password)
{
    /// <summary>Whether <see cref="CertificatePath"/> names a PKCS#12 bundle rather than a PEM file, by its extension.</summary>
    public bool IsPkcs12 =>
        CertificatePath.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || CertificatePath.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);

    // Records print every property; the password must never reach a log line.
    public override string ToString() => KeyPath is null ? CertificatePath : $"{CertificatePath} (key {KeyPath})";
}
