using Router.Contracts.Configuration;
using Router.Host.Admin;
using Router.Host.Caching;
using Router.Host.Configuration;
using StackExchange.Redis;

namespace Router.Host.Tests.Configuration;

/// <summary>
/// The Redis cache's connection string, password file, CA and entry secret: read, checked at load with the
/// setting named, and never shown.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CacheSecuritySettingsTests : IDisposable
{
    private const string Password = "hunter2-redis-password";
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private const string Pair = """
        router.storage { provider = postgres, connection-string = "Host=db;Database=router;Username=r;Password=p" }
        router.cluster { enabled = true, hostname = "10.0.0.11", seed-nodes = ["10.0.0.11:4053", "10.0.0.12:4053"] }
        router.cache.redis = "10.0.0.10:6379"
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("router-cache-security-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RouterSettings ReadAll(string hocon)
    {
        var path = Path.Combine(_dir, "router.conf");
        File.WriteAllText(path, hocon);
        return RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(path));
    }

    private CacheSettings Read(string hocon) => ReadAll(hocon).Cache;

    private string SecretFile(string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_dir, $"secret-{Guid.NewGuid():N}");
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private static string Quoted(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal) + "\"";

    [Fact]
    public void The_whole_configuration_string_is_taken_and_the_routers_policy_laid_over_it()
    {
        var cache = Read($$"""router.cache.redis = "r1:6380,r2:6381,user=router,password={{Password}},ssl=true,sslHost=redis.lan,connectTimeout=9000,abortConnect=true" """);
        var options = RedisConnectionOptions.Build(cache);

        Assert.Equal(2, options.EndPoints.Count);
        Assert.Equal(("router", Password, true, "redis.lan"), (options.User, options.Password, options.Ssl, options.SslHost));
        Assert.Equal((1000, false, "router-cache"), (options.ConnectTimeout, options.AbortOnConnectFail, options.ClientName));
        Assert.Same(BacklogPolicy.FailFast, options.BacklogPolicy);
    }

    [Fact]
    public void Sentinel_service_names_are_taken()
    {
        var options = RedisConnectionOptions.Build(Read("""router.cache.redis = "s1:26379,s2:26379,serviceName=mymaster,password=p,sentinelPassword=sp" """));

        Assert.Equal("mymaster", options.ServiceName);
    }

    [Fact]
    public void What_logs_and_views_show_of_the_string_has_no_password()
    {
        var settings = ReadAll($$"""router.cache.redis = "r1:6379,user=router,password={{Password}},serviceName=m,sentinelPassword=sentinel-{{Password}}" """);

        var described = RedisConnectionOptions.Describe(RedisConnectionOptions.Build(settings.Cache));
        var view = ConfigView.Of(settings).ToJsonString();

        Assert.Contains("r1:6379", described);
        Assert.Contains("user=router", described);
        Assert.DoesNotContain(Password, described);
        Assert.DoesNotContain(Password, view);
    }

    [Fact]
    public void The_password_may_come_from_a_file_and_only_one_place()
    {
        var file = SecretFile(Password + "\n");
        var cache = Read($"router.cache {{ redis = \"r1:6379\", redis-password-file = {Quoted(file)} }}");

        Assert.Equal(Password, RedisConnectionOptions.Build(cache).Password);
        var both = Assert.Throws<ConfigException>(() => Read($"router.cache {{ redis = \"r1:6379,password=x\", redis-password-file = {Quoted(file)} }}"));
        Assert.Contains("router.cache.redis-password-file", both.Message);
        Assert.DoesNotContain(Password, both.Message);
    }

    [Fact]
    public void A_secret_file_everyone_can_read_missing_or_empty_is_refused_with_the_setting_named()
    {
        var open = SecretFile(Password, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var error = Assert.Throws<ConfigException>(() => Read($"router.cache {{ redis = \"r1:6379\", redis-password-file = {Quoted(open)} }}"));
        Assert.Contains("router.cache.redis-password-file", error.Message);
        Assert.Contains("open to group or others", error.Message);
        Assert.DoesNotContain(Password, error.Message);

        Assert.Contains("does not exist", Assert.Throws<ConfigException>(() => Read($"router.cache.secret-file = {Quoted(Path.Combine(_dir, "none"))}")).Message);
        Assert.Contains("is empty", Assert.Throws<ConfigException>(() => Read($"router.cache.secret-file = {Quoted(SecretFile("\n"))}")).Message);
    }

    [Theory]
    [InlineData("""router.cache.redis = "r1:6379,nosuchoption=1" """, "router.cache.redis")]
    [InlineData("""router.cache.redis = "password=x" """, "names no host:port")]
    [InlineData("""router.cache { redis = "r1:6379", redis-ca = "/nonexistent/ca.pem" }""", "router.cache.redis-ca")]
    [InlineData("""router.cache.secret = "short" """, "at least 32")]
    public void A_configuration_that_cannot_work_is_refused_at_load(string hocon, string named) =>
        Assert.Contains(named, Assert.Throws<ConfigException>(() => Read(hocon)).Message);

    [Fact]
    public void A_ca_without_tls_is_refused()
    {
        var ca = Path.Combine(_dir, "ca.pem");
        File.WriteAllText(ca, "not read");

        var error = Assert.Throws<ConfigException>(() => Read($"router.cache {{ redis = \"r1:6379\", redis-ca = {Quoted(ca)} }}"));

        Assert.Contains("ssl=true", error.Message);
    }

    [Fact]
    public void The_secret_comes_from_config_or_a_file_never_both_and_is_masked()
    {
        Assert.Equal(Secret, Read($"router.cache.secret = \"{Secret}\"").Secret);
        var file = SecretFile(Secret + "\n");
        Assert.Equal(Secret, Read($"router.cache.secret-file = {Quoted(file)}").Secret);
        Assert.Contains("one place", Assert.Throws<ConfigException>(() => Read($"router.cache {{ secret = \"{Secret}\", secret-file = {Quoted(file)} }}")).Message);

        var view = ConfigView.Of(ReadAll($"router.cache.secret = \"{Secret}\""))["cache"]!;
        Assert.Equal(ConfigView.Mask, view["secret"]!.GetValue<string>());
    }

    [Fact]
    public void A_pair_caching_in_redis_must_share_a_configured_secret()
    {
        var error = Assert.Throws<ConfigException>(() => ReadAll(Pair));
        Assert.Contains("router.cache.secret", error.Message);

        Assert.Equal(Secret, ReadAll(Pair + $"\nrouter.cache.secret = \"{Secret}\"").Cache.Secret);
        // A pair caching in memory, and a single node with Redis, need none.
        Assert.Null(ReadAll(Pair.Replace("router.cache.redis = \"10.0.0.10:6379\"", "", StringComparison.Ordinal)).Cache.Secret);
        Assert.Null(Read("router.cache.redis = \"10.0.0.10:6379\"").Secret);
    }

    [Fact]
    public void A_single_node_without_a_secret_makes_one_in_its_data_dir_and_keeps_it()
    {
        var dataDir = Path.Combine(_dir, "data");

        var first = CacheSecretStore.Resolve(null, dataDir);
        var again = CacheSecretStore.Resolve(null, dataDir);

        var path = Path.Combine(dataDir, CacheSecretStore.FileName);
        Assert.Equal(path, first.GeneratedAt);
        Assert.Equal((first.Secret, (string?)null), (again.Secret, again.GeneratedAt));
        Assert.True(first.Secret.Length >= RouterSettingsReader.MinimumCacheSecretLength);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(Secret, CacheSecretStore.Resolve(Secret, dataDir).Secret);
    }
}
