using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Router.Contracts.Configuration;
using StackExchange.Redis;

namespace Router.Host.Caching;

/// <summary>
/// The connection to the cache's Redis: the operator's whole StackExchange.Redis configuration
/// (<c>host:port,password=…,user=…,ssl=true,sslHost=…</c>, several endpoints, Sentinel's <c>serviceName=</c>)
/// with the router's own policy on top, because a cache must never hold a request up: short timeouts, commands
/// failing at once while disconnected, and a connection that keeps retrying instead of failing the start.
/// </summary>
public static class RedisConnectionOptions
{
    /// <summary>
    /// The options for <paramref name="cache"/>'s Redis; a <see cref="RedisSettingException"/> naming the setting when
    /// they cannot be (the settings reader turns it into a configuration error at load).
    /// </summary>
    public static ConfigurationOptions Build(CacheSettings cache)
    {
        var text = cache.Redis ?? throw new ArgumentException("no Redis is configured", nameof(cache));
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or NotSupportedException)
        {
            // StackExchange.Redis names the keyword at fault, never the password's value.
            throw new RedisSettingException($"router.cache.redis is not a StackExchange.Redis configuration (host:port[,option=value...]): {e.Message}");
        }
        if (options.EndPoints.Count == 0) throw new RedisSettingException("router.cache.redis names no host:port");

        if (cache.RedisPassword is { } password)
        {
            if (!string.IsNullOrEmpty(options.Password))
                throw new RedisSettingException("router.cache.redis has a password= and router.cache.redis-password-file is set: give the password in one place");
            options.Password = password;
        }
        if (cache.RedisCa is { } caFile)
        {
            if (!options.Ssl) throw new RedisSettingException("router.cache.redis-ca is set but router.cache.redis has no ssl=true: the CA would check nothing");
            options.CertificateValidation += RedisCaTrust.Callback(LoadAuthority(caFile));
        }

        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 1000;
        options.SyncTimeout = 1000;
        options.AsyncTimeout = 1000;
        options.ConnectRetry = 1;
        // While disconnected, commands fail at once instead of queueing until they time out.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        options.AllowAdmin = false;
        options.ClientName ??= "router-cache";
        return options;
    }

    /// <summary>The configuration as logs, errors and health may show it: endpoints and options, no password of any kind.</summary>
    public static string Describe(ConfigurationOptions options)
    {
        var shown = options.Clone();
        shown.Password = null;
        shown.SentinelPassword = null;
        return shown.ToString(includePassword: false);
    }

    private static X509Certificate2 LoadAuthority(string path)
    {
        if (!File.Exists(path)) throw new RedisSettingException($"router.cache.redis-ca: '{path}' does not exist");
        try
        {
            var text = File.ReadAllText(path);
            return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new RedisSettingException($"router.cache.redis-ca: '{path}' is not a readable certificate (PEM or DER): {e.Message}");
        }
    }
}

/// <summary>A Redis setting that cannot work; the message names the setting and never shows a password.</summary>
public sealed class RedisSettingException(string message) : Exception(message);
