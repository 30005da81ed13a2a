using System.Text;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Caching;
using Router.MockUpstream;

namespace Router.Host.Tests.Caching;

/// <summary>A configuration string naming a Sentinel and its <c>serviceName=</c>: the entries land on the primary it names.</summary>
public sealed class RedisSentinelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Through_a_sentinel_the_cache_reaches_the_primary_it_names()
    {
        await using var primary = await RedisServer.StartNewAsync();
        await using var sentinel = await RedisSentinel.StartAsync(primary);
        var cache = CacheSettings.Standard with { Redis = $"{sentinel.Endpoint},serviceName={RedisSentinel.ServiceName}" };
        await using var store = new RedisResponseCacheStore(RedisConnectionOptions.Build(cache),
            new CacheEntryEnvelope("the-pair's-cache-secret-0123456789abcdef"), new ListLogger<RedisResponseCacheStore>(), TimeProvider.System);
        var key = new CacheEntryKey("default", "m", "sentinel");

        await store.SetAsync(key, new CachedResponse(Encoding.UTF8.GetBytes("via sentinel"), new TokenUsage(1, 1, 0, 0, 0), 0m,
            DateTimeOffset.UnixEpoch, new CacheProducer("m", "p", "m")), TimeSpan.FromMinutes(1), Ct);

        Assert.Equal("via sentinel"u8.ToArray(), (await store.GetAsync(key, Ct))?.Body);
        Assert.Equal(CacheHealthState.Ok, store.Health.State);
        Assert.Equal("1", (await primary.CliAsync(null, "EXISTS", RedisResponseCacheStore.RedisKeyOf(key))).Output);
    }
}
