using Akka.Configuration;
using Router.Contracts.Configuration;

namespace Router.Host.Configuration;

public static partial class RouterSettingsReader
{
    /// <summary>
    /// <c>router.http.tls</c>, checked against the addresses the router will listen on: with a certificate every
    /// address must be https (a plain one would carry the dashboard's cookie and every bearer key in clear), and
    /// without one no address may be, since Kestrel would look for a development certificate the host has not.
    /// The files are read at start (<see cref="TlsCertificateFile"/>), where an unreadable one fails with its setting.
    /// </summary>
    private static HttpTlsSettings? ReadHttpTls(Config router, string urls)
    {
        var certificate = NullIfEmpty(router.GetString("http.tls.certificate", null));
        var key = NullIfEmpty(router.GetString("http.tls.key", null));
        var password = NullIfEmpty(router.GetString("http.tls.password", null));
        var schemes = urls.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(url => (Url: url, Https: url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            .ToList();
        if (certificate is null)
        {
            if (key is not null) throw new ConfigException("router.http.tls.key is set but router.http.tls.certificate is not");
            if (schemes.FirstOrDefault(s => s.Https).Url is { } https)
                throw new ConfigException($"router.http.urls (or --urls) names {https}, but router.http.tls.certificate is not set: HTTPS needs a certificate");
            return null;
        }
        var tls = new HttpTlsSettings(Path.GetFullPath(certificate), key is null ? null : Path.GetFullPath(key), password);
        if (tls.IsPkcs12 && key is not null)
            throw new ConfigException("router.http.tls.key must be empty when router.http.tls.certificate is a .pfx/.p12 file: the key is inside it");
        if (schemes.FirstOrDefault(s => !s.Https).Url is { } plain)
            throw new ConfigException($"router.http.urls (or --urls) names {plain}, but router.http.tls is set: every address must be https://");
        return tls;
    }
}
