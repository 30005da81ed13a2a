using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Router.Host.Caching;

using Router.MockUpstream;

using Router.Tests.Shared;

namespace Router.Host.Tests.Caching;

/// <summary>The store contract and Redis's own behaviours, against a real <c>redis-server</c>.</summary>
public sealed class RedisResponseCacheStoreTests : ResponseCacheStoreContract
{
    private RedisServer _redis = null!;

    protected override async Task<IResponseCacheStore> CreateStoreAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        return new RedisResponseCacheStore(_redis.Endpoint, new ListLogger<RedisResponseCacheStore>(), TimeProvider.System);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task An_entry_expires_with_its_ttl()
    {
        var key = Key("default", "m", "ttl");
        await Store.SetAsync(key, Response("x"), TimeSpan.FromSeconds(1), Ct);
        Assert.Equal("x", await TextOf(key));

        await Task.Delay(TimeSpan.FromMilliseconds(1300), Ct);

        Assert.Null(await TextOf(key));
    }

    [Fact]
    public async Task Glob_characters_and_colons_in_names_match_only_themselves()
    {
        string[] models = ["gpt-*", "gpt-4", "gpt-4o", "gpt-?", "gpt-[4]", "g\\pt", "a:b", "b"];
        foreach (var model in models)
        {
            await Store.SetAsync(Key("default", model, "h"), Response(model), Long, Ct);
            await Store.SetAsync(Key("ns:x", model, "h"), Response("ns:x/" + model), Long, Ct);
            await Store.SetAsync(Key("ns", model, "h"), Response("ns/" + model), Long, Ct);
        }

        Assert.Equal(3, await Store.FlushAsync(new CacheScope(Model: "gpt-*"), Ct));
        Assert.Equal(3, await Store.FlushAsync(new CacheScope(Model: "gpt-?"), Ct));
        Assert.Equal(3, await Store.FlushAsync(new CacheScope(Model: "gpt-[4]"), Ct));
        Assert.Equal(3, await Store.FlushAsync(new CacheScope(Model: "g\\pt"), Ct));
        Assert.Equal(1, await Store.FlushAsync(new CacheScope(Model: "a:b", Namespace: "ns"), Ct));
        Assert.Equal(0, await Store.FlushAsync(new CacheScope(Model: "*"), Ct));
        Assert.Equal(0, await Store.FlushAsync(new CacheScope(Namespace: "n*"), Ct));
        Assert.Equal(0, await Store.FlushAsync(new CacheScope(EntryId: "*"), Ct));

        foreach (var model in new[] { "gpt-4", "gpt-4o", "b" })
            Assert.Equal(model, await TextOf(Key("default", model, "h")));
        Assert.Equal("a:b", await TextOf(Key("default", "a:b", "h")));
        Assert.Null(await TextOf(Key("ns", "a:b", "h")));
        Assert.Equal("ns:x/a:b", await TextOf(Key("ns:x", "a:b", "h")));
        Assert.Null(await TextOf(Key("default", "gpt-*", "h")));

        // 3 namespaces × 4 models left; flushing namespace "ns" leaves "ns:x" alone.
        Assert.Equal(3, await Store.FlushAsync(new CacheScope(Namespace: "ns"), Ct));
        Assert.Equal("ns:x/gpt-4", await TextOf(Key("ns:x", "gpt-4", "h")));
        Assert.Equal(8, await Store.FlushAsync(new CacheScope(), Ct));
    }

    [Fact]
    public void Key_components_are_escaped_so_no_glob_or_separator_survives()
    {
        Assert.Equal("router:cache:default:gpt-4o:abc", RedisResponseCacheStore.RedisKeyOf(new CacheEntryKey("default", "gpt-4o", "abc")));
        Assert.Equal("router:cache:a%3Ab:gpt-%2A%3F%5B%5D%5C%25:h", RedisResponseCacheStore.RedisKeyOf(new CacheEntryKey("a:b", "gpt-*?[]\\%", "h")));
        Assert.Equal("router:cache:*", RedisResponseCacheStore.PatternOf(new CacheScope()));
        Assert.Equal("router:cache:*:gpt-%2A:*", RedisResponseCacheStore.PatternOf(new CacheScope(Model: "gpt-*")));
    }

    [Fact]
    public async Task Without_redis_reads_miss_fast_writes_are_skipped_health_degrades_and_it_recovers()
    {
        var clock = new ManualClock();
        var logger = new ListLogger<RedisResponseCacheStore>();
        await using var store = new RedisResponseCacheStore(_redis.Endpoint, logger, clock);
        var key = Key("default", "m", "outage");
        await store.SetAsync(key, Response("before"), Long, Ct);
        Assert.NotNull(await store.GetAsync(key, Ct));
        Assert.Equal(CacheHealthState.Ok, store.Health.State);

        await _redis.StopAsync();

        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            Assert.Null(await store.GetAsync(key, Ct));
            await store.SetAsync(key, Response("during"), Long, Ct);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"a get and a set without redis took {watch.Elapsed}");
        }
        Assert.Equal(CacheHealthState.Degraded, store.Health.State);
        Assert.StartsWith("redis unreachable: ", store.Health.Detail);
        Assert.Equal(0, await store.FlushAsync(new CacheScope(), Ct));
        Assert.Equal(1, logger.Count(LogLevel.Warning));

        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(await store.GetAsync(key, Ct));
        Assert.Null(await store.GetAsync(key, Ct));
        Assert.Equal(2, logger.Count(LogLevel.Warning));
        Assert.Equal(0, logger.Count(LogLevel.Information));

        await _redis.StartAsync(); // same port, empty

        var deadline = Stopwatch.StartNew();
        CachedResponse? back = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await store.SetAsync(key, Response("after"), Long, Ct);
            if ((back = await store.GetAsync(key, Ct)) is not null) break;
            await Task.Delay(100, Ct);
        }
        Assert.NotNull(back);
        Assert.Equal("after"u8.ToArray(), back.Body);
        Assert.Equal(CacheHealthState.Ok, store.Health.State);
        Assert.Equal(1, logger.Count(LogLevel.Information));
        Assert.Equal(2, logger.Count(LogLevel.Warning));
    }

    [Fact]
    public async Task A_redis_that_was_never_there_costs_each_call_little_and_throws_nothing()
    {
        var logger = new ListLogger<RedisResponseCacheStore>();
        await using var store = new RedisResponseCacheStore($"127.0.0.1:{RedisServer.FreePort()}", logger, TimeProvider.System);
        var key = Key("default", "m", "never");

        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            Assert.Null(await store.GetAsync(key, Ct));
            await store.SetAsync(key, Response("x"), Long, Ct);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3.5), $"took {watch.Elapsed}");
        }
        Assert.Equal(CacheHealthState.Degraded, store.Health.State);
        Assert.Equal(1, logger.Count(LogLevel.Warning));
    }
}
