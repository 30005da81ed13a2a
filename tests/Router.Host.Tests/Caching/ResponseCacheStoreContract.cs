using System.Text;
using Router.Contracts.Wire;
using Router.Host.Caching;

namespace Router.Host.Tests.Caching;

/// <summary>What every <see cref="IResponseCacheStore"/> does, run against each implementation.</summary>
public abstract class ResponseCacheStoreContract : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    protected IResponseCacheStore Store { get; private set; } = null!;

    protected abstract Task<IResponseCacheStore> CreateStoreAsync();

    public async ValueTask InitializeAsync() => Store = await CreateStoreAsync();

    public virtual async ValueTask DisposeAsync()
    {
        if (Store is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
        else if (Store is IDisposable disposable) disposable.Dispose();
    }

    protected static CacheEntryKey Key(string ns, string model, string hash) => new(ns, model, hash);

    protected static CachedResponse Response(string text, int bodyBytes = 0)
    {
        var body = Encoding.UTF8.GetBytes(bodyBytes > 0 ? text.PadRight(bodyBytes, ' ') : text);
        return new CachedResponse(body, new TokenUsage(11, 7, 3, 2, 1) { ReportedCost = 0.00042m }, 0.0123m,
            new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero), new CacheProducer("ollama/*", "gpu-a", "llama3.2:3b"));
    }

    protected async Task<string?> TextOf(CacheEntryKey key)
    {
        var hit = await Store.GetAsync(key, Ct);
        return hit is null ? null : Encoding.UTF8.GetString(hit.Body);
    }

    [Fact]
    public async Task A_stored_entry_comes_back_whole_and_other_keys_miss()
    {
        var key = Key("default", "gpt-4o", "abc123");
        var value = Response("{\"object\":\"chat.completion\",\"x\":\"é\"}");

        Assert.Null(await Store.GetAsync(key, Ct));
        await Store.SetAsync(key, value, Long, Ct);
        var hit = await Store.GetAsync(key, Ct);

        Assert.NotNull(hit);
        Assert.Equal(value.Body, hit.Body);
        Assert.Equal(value.Usage, hit.Usage);
        Assert.Equal(0.00042m, hit.Usage.ReportedCost);
        Assert.Equal(value.Cost, hit.Cost);
        Assert.Equal(value.StoredAt, hit.StoredAt);
        Assert.Equal(value.Producer, hit.Producer);
        Assert.Null(await Store.GetAsync(Key("default", "gpt-4o", "abc124"), Ct));
        Assert.Null(await Store.GetAsync(Key("default", "gpt-4o-mini", "abc123"), Ct));
        Assert.Null(await Store.GetAsync(Key("other", "gpt-4o", "abc123"), Ct));
        Assert.Equal(CacheHealthState.Ok, Store.Health.State);
    }

    [Fact]
    public async Task Setting_a_key_again_replaces_its_entry()
    {
        var key = Key("default", "m", "h1");
        await Store.SetAsync(key, Response("first"), Long, Ct);
        await Store.SetAsync(key, Response("second"), Long, Ct);

        Assert.Equal("second", await TextOf(key));
    }

    private async Task SeedAsync()
    {
        await Store.SetAsync(Key("default", "gpt-4o", "h1"), Response("1"), Long, Ct);
        await Store.SetAsync(Key("default", "gpt-4o-mini", "h2"), Response("2"), Long, Ct);
        await Store.SetAsync(Key("team", "gpt-4o", "h3"), Response("3"), Long, Ct);
        await Store.SetAsync(Key("team", "claude", "h4"), Response("4"), Long, Ct);
    }

    private async Task<string> SurvivorsAsync()
    {
        var left = new List<string>();
        foreach (var (ns, model, hash) in new[] { ("default", "gpt-4o", "h1"), ("default", "gpt-4o-mini", "h2"), ("team", "gpt-4o", "h3"), ("team", "claude", "h4") })
            if (await TextOf(Key(ns, model, hash)) is { } text) left.Add(text);
        return string.Join(",", left);
    }

    [Fact]
    public async Task Flush_by_model_removes_that_model_in_every_namespace()
    {
        await SeedAsync();
        Assert.Equal(2, await Store.FlushAsync(new CacheScope(Model: "gpt-4o"), Ct));
        Assert.Equal("2,4", await SurvivorsAsync());
    }

    [Fact]
    public async Task Flush_by_namespace_removes_only_that_namespace()
    {
        await SeedAsync();
        Assert.Equal(2, await Store.FlushAsync(new CacheScope(Namespace: "team"), Ct));
        Assert.Equal("1,2", await SurvivorsAsync());
    }

    [Fact]
    public async Task Flush_by_model_and_namespace_needs_both_to_match()
    {
        await SeedAsync();
        Assert.Equal(1, await Store.FlushAsync(new CacheScope(Model: "gpt-4o", Namespace: "team"), Ct));
        Assert.Equal("1,2,4", await SurvivorsAsync());
    }

    [Fact]
    public async Task Flush_by_entry_id_removes_one_entry()
    {
        await SeedAsync();
        Assert.Equal(1, await Store.FlushAsync(new CacheScope(EntryId: Key("team", "gpt-4o", "h3").Id), Ct));
        Assert.Equal("1,2,4", await SurvivorsAsync());
        Assert.Equal(0, await Store.FlushAsync(new CacheScope(EntryId: "no-such-entry"), Ct));
        Assert.Equal("1,2,4", await SurvivorsAsync());
    }

    [Fact]
    public async Task Flush_with_an_empty_scope_removes_everything()
    {
        await SeedAsync();
        Assert.Equal(4, await Store.FlushAsync(new CacheScope(), Ct));
        Assert.Equal("", await SurvivorsAsync());
        Assert.Equal(0, await Store.FlushAsync(new CacheScope(), Ct));
    }
}
