using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Router.Contracts.Configuration;
using Router.Host.Caching;
using Router.MockUpstream;
using Router.Tests.Shared;
using StackExchange.Redis;

namespace Router.Host.Tests.Caching;

/// <summary>The store contract and Redis's own behaviours, against a real <c>redis-server</c>.</summary>
public sealed class RedisResponseCacheStoreTests : ResponseCacheStoreContract
{
    private const string Secret = "the-pair's-cache-secret-0123456789abcdef";

    private RedisServer _redis = null!;
    private readonly ListLogger<RedisResponseCacheStore> _logger = new();

    protected override async Task<IResponseCacheStore> CreateStoreAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        return Open(_redis.Endpoint, _logger, TimeProvider.System);
    }

    private static RedisResponseCacheStore Open(string redis, ILogger<RedisResponseCacheStore> logger, TimeProvider clock, string secret = Secret) =>
        new(RedisConnectionOptions.Build(CacheSettings.Standard with { Redis = redis }), new CacheEntryEnvelope(secret), logger, clock);

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
        await using var store = Open(_redis.Endpoint, logger, clock);
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
        await using var store = Open($"127.0.0.1:{LoopbackPort.Free()}", logger, TimeProvider.System);
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

/// <summary>
/// Entries whoever reaches Redis wrote, altered or moved: each is a miss, counted, logged once a minute
/// without its content, and a genuine entry is still served. Written with a client of their own, as an
/// attacker with Redis access would.
/// </summary>
public sealed class RedisPlantedEntryTests : IAsyncLifetime
{
    private const string Secret = "the-pair's-cache-secret-0123456789abcdef";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RedisServer _redis = null!;
    private ConnectionMultiplexer _attacker = null!;
    private readonly ListLogger<RedisResponseCacheStore> _logger = new();
    private readonly ManualClock _clock = new();
    private RedisResponseCacheStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        _attacker = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        _store = Open(Secret);
    }

    private RedisResponseCacheStore Open(string secret) =>
        new(RedisConnectionOptions.Build(CacheSettings.Standard with { Redis = _redis.Endpoint }), new CacheEntryEnvelope(secret), _logger, _clock);

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        await _attacker.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private static CachedResponse Answer(string text) => new("PLANTED: "u8.ToArray().Concat(System.Text.Encoding.UTF8.GetBytes(text)).ToArray(),
        new Contracts.Wire.TokenUsage(1, 1, 0, 0, 0), 0.5m, DateTimeOffset.UnixEpoch, new CacheProducer("m", "p", "m"));

    [Fact]
    public async Task Planted_altered_moved_and_foreign_entries_are_misses_counted_and_logged_once_a_minute()
    {
        var genuine = new CacheEntryKey("default", "m", "genuine");
        await _store.SetAsync(genuine, Answer("genuine"), TimeSpan.FromMinutes(5), Ct);
        var db = _attacker.GetDatabase();
        var genuineKey = RedisResponseCacheStore.RedisKeyOf(genuine);
        var sealedBytes = (byte[])(await db.StringGetAsync(genuineKey))!;

        // An answer sealed under another secret, one with a byte changed, a genuine one under another key, and junk.
        var planted = new CacheEntryKey("default", "m", "planted");
        await db.StringSetAsync(RedisResponseCacheStore.RedisKeyOf(planted),
            new CacheEntryEnvelope("an-attacker's-guess-0123456789abcdef").Seal(RedisResponseCacheStore.RedisKeyOf(planted), Answer("evil")));
        var altered = new CacheEntryKey("default", "m", "altered");
        var flipped = (byte[])sealedBytes.Clone();
        flipped[^5] ^= 0x01;
        await db.StringSetAsync(RedisResponseCacheStore.RedisKeyOf(altered), flipped);
        var moved = new CacheEntryKey("default", "other-model", "genuine");
        await db.StringSetAsync(RedisResponseCacheStore.RedisKeyOf(moved), sealedBytes);
        var junk = new CacheEntryKey("default", "m", "junk");
        await db.StringSetAsync(RedisResponseCacheStore.RedisKeyOf(junk), "PLANTED: plain text");

        foreach (var key in new[] { planted, altered, moved, junk }) Assert.Null(await _store.GetAsync(key, Ct));
        Assert.Equal("PLANTED: genuine"u8.ToArray(), (await _store.GetAsync(genuine, Ct))!.Body);

        Assert.Equal(4, _store.RejectedEntries);
        var warning = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("1 entries", warning.Message);
        Assert.DoesNotContain("PLANTED", warning.Message);
        Assert.DoesNotContain("router:cache:", warning.Message);

        _clock.Advance(RejectedCacheEntries.LogInterval);
        Assert.Null(await _store.GetAsync(junk, Ct));
        Assert.Equal(5, _store.RejectedEntries);
        Assert.Contains("4 entries", _logger.Entries.Last(e => e.Level == LogLevel.Warning).Message);
        Assert.Equal(2, _logger.Count(LogLevel.Warning));
    }

    [Fact]
    public async Task A_node_with_another_secret_finds_no_entry_of_this_one()
    {
        var key = new CacheEntryKey("default", "m", "shared");
        await _store.SetAsync(key, Answer("x"), TimeSpan.FromMinutes(5), Ct);
        await using var other = Open("a-different-secret-0123456789abcdefgh");

        Assert.Null(await other.GetAsync(key, Ct));
        Assert.Equal(1, other.RejectedEntries);
        Assert.NotNull(await _store.GetAsync(key, Ct));
        Assert.Equal(0, _store.RejectedEntries);
    }
}
