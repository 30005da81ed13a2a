using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Cluster;

namespace Router.Host.Configuration;

public static partial class RouterSettingsReader
{
    /// <summary>
    /// <c>router.cluster.tls</c>: on when a certificate is named. Its files are loaded here (and again when the actor
    /// system starts), so a missing, unreadable or mismatched one fails at start, and in <c>router config check</c>,
    /// with the setting's name.
    /// </summary>
    private static ClusterTlsSettings? ReadClusterTls(Config router)
    {
        string? Text(string key) => NullIfEmpty(router.GetString("cluster.tls." + key, null)?.Trim());
        var certificate = Text("certificate");
        List<string> pins = router.HasPath("cluster.tls.peer-thumbprints") ? [.. router.GetStringList("cluster.tls.peer-thumbprints")] : [];
        if (certificate is null)
        {
            var stray = new[] { "key", "ca", "password", "password-file" }.FirstOrDefault(key => Text(key) is not null)
                ?? (pins.Count > 0 ? "peer-thumbprints" : null);
            return stray is null
                ? null
                : throw new ConfigException($"router.cluster.tls.{stray} is set but router.cluster.tls.certificate is not: TLS needs this node's certificate");
        }
        var tls = new ClusterTlsSettings(Path.GetFullPath(certificate), Text("key") is { } key ? Path.GetFullPath(key) : null, ReadTlsPassword(Text),
            Text("ca") is { } ca ? Path.GetFullPath(ca) : null, pins);
        try
        {
            RemotingCertificates.Load(tls, TimeProvider.System).Certificate.Dispose();
        }
        catch (RemotingTlsException e)
        {
            throw new ConfigException(e.Message);
        }
        return tls;
    }

    /// <summary>The key's password from <c>password</c> (or ROUTER_CLUSTER_TLS_PASSWORD) or from the file <c>password-file</c> names.</summary>
    private static string? ReadTlsPassword(Func<string, string?> text)
    {
        var password = text("password");
        if (text("password-file") is not { } file) return password;
        if (password is not null)
            throw new ConfigException("router.cluster.tls.password and router.cluster.tls.password-file are both set: keep one");
        return SecretFile.Read("router.cluster.tls.password-file", file);
    }
}
