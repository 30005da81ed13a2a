using Router.Host.Caching;

using Router.Tests.Shared;

namespace Router.Host.Tests.Caching;

public sealed class MemoryResponseCacheStoreTests : ResponseCacheStoreContract
{
    private readonly ManualClock _clock = new();

    protected override Task<IResponseCacheStore> CreateStoreAsync() =>
        Task.FromResult<IResponseCacheStore>(new MemoryResponseCacheStore(1 << 20, _clock));

    [Fact]
    public async Task An_entry_is_returned_until_its_ttl_and_never_after()
    {
        var key = Key("default", "m", "h");
        await Store.SetAsync(key, Response("x"), TimeSpan.FromSeconds(60), Ct);

        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("x", await TextOf(key));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await TextOf(key));
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Null(await TextOf(key));
    }

    [Fact]
    public async Task An_expired_entry_is_not_counted_by_a_flush()
    {
        await Store.SetAsync(Key("default", "m", "short"), Response("a"), TimeSpan.FromSeconds(5), Ct);
        await Store.SetAsync(Key("default", "m", "long"), Response("b"), TimeSpan.FromSeconds(50), Ct);
        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(1, await Store.FlushAsync(new CacheScope(Model: "m"), Ct));
    }

    [Fact]
    public async Task A_zero_ttl_stores_nothing()
    {
        var key = Key("default", "m", "h");
        await Store.SetAsync(key, Response("x"), TimeSpan.Zero, Ct);
        Assert.Null(await TextOf(key));
    }

    [Fact]
    public async Task Over_the_byte_budget_the_least_recently_used_entries_go_first()
    {
        const int body = 1000;
        var a = Key("default", "m", "a");
        var b = Key("default", "m", "b");
        var c = Key("default", "m", "c");
        var d = Key("default", "m", "d");
        var entry = MemoryResponseCacheStore.SizeOf(a, Response("a", body));
        using var store = new MemoryResponseCacheStore(3 * entry + entry / 2, _clock); // room for three
        await store.SetAsync(a, Response("a", body), Long, Ct);
        await store.SetAsync(b, Response("b", body), Long, Ct);
        await store.SetAsync(c, Response("c", body), Long, Ct);
        Assert.NotNull(await store.GetAsync(a, Ct)); // a is now the most recently used; b the least

        await store.SetAsync(d, Response("d", body), Long, Ct);

        Assert.Null(await store.GetAsync(b, Ct));
        Assert.NotNull(await store.GetAsync(a, Ct));
        Assert.NotNull(await store.GetAsync(c, Ct));
        Assert.NotNull(await store.GetAsync(d, Ct));
        Assert.Equal(3, store.Count);
        Assert.Equal(3 * entry, store.Bytes);

        // A body twice as big makes room by evicting the two least recently used (a then c were read before d).
        var big = Key("default", "m", "big");
        await store.SetAsync(big, Response("big", 2 * body + 256), Long, Ct);
        Assert.Null(await store.GetAsync(a, Ct));
        Assert.Null(await store.GetAsync(c, Ct));
        Assert.NotNull(await store.GetAsync(d, Ct));
        Assert.NotNull(await store.GetAsync(big, Ct));
        Assert.True(store.Bytes <= 3 * entry + entry / 2);
    }

    [Fact]
    public async Task An_entry_bigger_than_the_whole_budget_is_not_stored_and_evicts_nothing()
    {
        var small = Key("default", "m", "small");
        using var store = new MemoryResponseCacheStore(10_000, _clock);
        await store.SetAsync(small, Response("s"), Long, Ct);

        await store.SetAsync(Key("default", "m", "huge"), Response("h", 20_000), Long, Ct);

        Assert.Null(await store.GetAsync(Key("default", "m", "huge"), Ct));
        Assert.NotNull(await store.GetAsync(small, Ct));
    }

    [Fact]
    public async Task Expired_entries_make_room_before_live_ones_are_evicted()
    {
        const int body = 1000;
        var a = Key("default", "m", "a");
        var entry = MemoryResponseCacheStore.SizeOf(a, Response("a", body));
        using var store = new MemoryResponseCacheStore(2 * entry, _clock);
        await store.SetAsync(a, Response("a", body), Long, Ct);
        await store.SetAsync(Key("default", "m", "b"), Response("b", body), TimeSpan.FromSeconds(1), Ct);
        _clock.Advance(TimeSpan.FromSeconds(2));

        await store.SetAsync(Key("default", "m", "c"), Response("c", body), Long, Ct);

        Assert.NotNull(await store.GetAsync(a, Ct));
        Assert.Equal(2 * entry, store.Bytes);
    }
}
