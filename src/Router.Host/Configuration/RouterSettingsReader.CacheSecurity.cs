using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Caching;

namespace Router.Host.Configuration;

public static partial class RouterSettingsReader
{
    /// <summary>A configured cache secret shorter than this is refused: the entries' MAC is only as strong as it.</summary>
    public const int MinimumCacheSecretLength = 32;

    /// <summary>
    /// What secures the Redis cache: its password from a file, the CA its TLS certificate must chain to, and the
    /// secret the entries are authenticated under. A Redis configuration that would not connect fails here, at
    /// load, with the setting named (and no part of a password).
    /// </summary>
    private static CacheSettings WithCacheSecurity(CacheSettings cache, Config router)
    {
        var secret = NullIfEmpty(router.GetString("cache.secret", null));
        var secretFile = NullIfEmpty(router.GetString("cache.secret-file", null));
        if (secret is not null && secretFile is not null)
            throw new ConfigException("router.cache.secret and router.cache.secret-file are both set: give the cache secret in one place");
        if (secretFile is not null) secret = SecretFile.Read("router.cache.secret-file", secretFile);
        if (secret is not null && secret.Length < MinimumCacheSecretLength)
            throw new ConfigException($"router.cache.secret is {secret.Length} characters; it must have at least {MinimumCacheSecretLength} (e.g. openssl rand -hex 32)");

        var passwordFile = NullIfEmpty(router.GetString("cache.redis-password-file", null));
        var secured = cache with
        {
            Secret = secret,
            RedisPasswordFile = passwordFile,
            RedisPassword = passwordFile is null ? null : SecretFile.Read("router.cache.redis-password-file", passwordFile),
            RedisCa = NullIfEmpty(router.GetString("cache.redis-ca", null)),
        };
        if (secured.Redis is null) return secured;
        try
        {
            RedisConnectionOptions.Build(secured);
        }
        catch (RedisSettingException e)
        {
            throw new ConfigException(e.Message);
        }
        return secured;
    }

    /// <summary>
    /// Both nodes of a pair read and write the same Redis entries, so they must authenticate them under one
    /// secret; a secret each node made for itself would turn every entry the other wrote into a rejected miss.
    /// </summary>
    private static void RequireSharedCacheSecret(RouterSettings settings)
    {
        if (settings.Cluster.Enabled && settings.Cache.Redis is not null && settings.Cache.Secret is null)
            throw new ConfigException("router.cache.secret (or router.cache.secret-file) must be set when a pair caches in Redis (router.cache.redis): "
                + "both nodes authenticate the entries with it, so give them the same one (e.g. ROUTER_CACHE_SECRET from openssl rand -hex 32)");
    }
}
