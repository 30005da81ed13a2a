using System.Text;
using Microsoft.Extensions.Logging;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Caching;
using Router.MockUpstream;

namespace Router.Host.Tests.Caching;

/// <summary>
/// The store against a real redis-server that wants a password, and one that speaks only TLS with a
/// certificate from a CA made here: it works with the right settings, and otherwise degrades (a miss, a
/// reason in health) without the password appearing anywhere.
/// </summary>
public sealed class RedisSecuredConnectionTests : IAsyncLifetime
{
    private const string Password = "redis-requirepass-7f3a9c21";
    private const string Secret = "the-pair's-cache-secret-0123456789abcdef";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _dir = Directory.CreateTempSubdirectory("router-redis-tls-").FullName;
    private readonly SelfSignedAuthority _authority = SelfSignedAuthority.Create("router-test-redis-ca");
    private RedisServer _withPassword = null!;
    private RedisServer _tls = null!;

    public async ValueTask InitializeAsync()
    {
        _withPassword = await RedisServer.StartNewAsync(new RedisSecurity(Password: Password));
        _tls = await RedisServer.StartNewAsync(new RedisSecurity(Tls: _authority.RedisFiles(_dir, "redis.test")));
    }

    public async ValueTask DisposeAsync()
    {
        await _withPassword.DisposeAsync();
        await _tls.DisposeAsync();
        _authority.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static CachedResponse Answer => new(Encoding.UTF8.GetBytes("answer"), new TokenUsage(1, 1, 0, 0, 0), 0m,
        DateTimeOffset.UnixEpoch, new CacheProducer("m", "p", "m"));

    /// <summary>Stores and reads one entry; true when it came back.</summary>
    private static async Task<(bool RoundTrip, CacheHealth Health, ListLogger<RedisResponseCacheStore> Logger)> TryAsync(CacheSettings cache)
    {
        var logger = new ListLogger<RedisResponseCacheStore>();
        await using var store = new RedisResponseCacheStore(RedisConnectionOptions.Build(cache), new CacheEntryEnvelope(Secret), logger, TimeProvider.System);
        var key = new CacheEntryKey("default", "m", Guid.NewGuid().ToString("N"));
        await store.SetAsync(key, Answer, TimeSpan.FromMinutes(1), Ct);
        var back = await store.GetAsync(key, Ct);
        return (back is not null, store.Health, logger);
    }

    [Fact]
    public async Task With_its_password_the_cache_works_and_without_it_redis_refuses_and_nothing_shows_the_password()
    {
        var right = await TryAsync(CacheSettings.Standard with { Redis = $"{_withPassword.Endpoint},password={Password}" });
        var none = await TryAsync(CacheSettings.Standard with { Redis = _withPassword.Endpoint });
        var wrong = await TryAsync(CacheSettings.Standard with { Redis = $"{_withPassword.Endpoint},password=not-{Password}" });

        Assert.True(right.RoundTrip);
        Assert.Equal(CacheHealthState.Ok, right.Health.State);
        Assert.Equal("1", (await _withPassword.CliAsync(null, "DBSIZE")).Output);
        foreach (var refused in new[] { none, wrong })
        {
            Assert.False(refused.RoundTrip);
            Assert.Equal(CacheHealthState.Degraded, refused.Health.State);
        }
        foreach (var attempt in new[] { right, none, wrong })
        {
            Assert.DoesNotContain(Password, attempt.Health.Detail ?? "");
            Assert.All(attempt.Logger.Entries, e => Assert.DoesNotContain(Password, e.Message));
        }
        Assert.Contains(wrong.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(_withPassword.Endpoint, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Over_tls_the_certificate_must_chain_to_the_named_ca_and_name_the_host()
    {
        var ca = _authority.WriteCertificate(Path.Combine(_dir, "trusted-ca.pem"));
        using var stranger = SelfSignedAuthority.Create("router-test-other-ca");
        var otherCa = stranger.WriteCertificate(Path.Combine(_dir, "other-ca.pem"));
        var tls = $"{_tls.Endpoint},ssl=true,sslHost=redis.test";

        Assert.True((await TryAsync(CacheSettings.Standard with { Redis = tls, RedisCa = ca })).RoundTrip);
        // The system does not know the test's CA; another CA, or the right one for another host name, is no better.
        Assert.False((await TryAsync(CacheSettings.Standard with { Redis = tls })).RoundTrip);
        Assert.False((await TryAsync(CacheSettings.Standard with { Redis = tls, RedisCa = otherCa })).RoundTrip);
        Assert.False((await TryAsync(CacheSettings.Standard with { Redis = $"{_tls.Endpoint},ssl=true,sslHost=elsewhere.test", RedisCa = ca })).RoundTrip);
        // Plain text to a TLS port gets nowhere either.
        Assert.False((await TryAsync(CacheSettings.Standard with { Redis = _tls.Endpoint })).RoundTrip);
    }
}
