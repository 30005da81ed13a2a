using System.Text.Json;
using System.Text;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Router.Actors.Breakers;
using Router.Actors.KeyBudgets;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Caching;
using Router.Host.Cluster;
using Router.Host.Proxy;
using Router.Host.Tests.Proxy;

namespace Router.Host.Tests.Caching;

/// <summary>
/// Whose entries a request reads and writes, and under which model an answer is stored: each key's own
/// namespace unless the operator shared it, and always the model and deployment that produced the answer.
/// The master key asks no actor on a hit, so these run the real cache path without an actor system.
/// </summary>
public sealed class ResponseCachingTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Body = """{"messages":[{"role":"user","content":"hello"}]}""";

    private static readonly RouteTable Routes = RouteTable.Build(
    [
        // One model served by two providers under the same upstream name, and a route to the first alone.
        new ModelEntry("pair", "mock", "pair-model"),
        new ModelEntry("pair", "elsewhere", "pair-model"),
        new ModelEntry("mock/*", "mock", null),
        new ModelEntry("primary", "mock", "primary-model"),
        new ModelEntry("backup", "elsewhere", "backup-model"),
        new ModelEntry("uncached-backup", "elsewhere", "uncached-model"),
    ], new HashSet<string> { "mock", "elsewhere" });

    private static readonly AuthenticatedKey KeyA = new("key-a", "sk-a…", "hash-a");
    private static readonly AuthenticatedKey KeyB = new("key-b", "sk-b…", "hash-b");
    private static readonly AuthenticatedKey Master = new(KeyAuthenticator.MasterKeyId, "master", "");

    private readonly MemoryResponseCacheStore _store = new(1024 * 1024, TimeProvider.System);
    private readonly ResponseCaching _caching;

    public ResponseCachingTests()
    {
        var settings = CacheSettings.Standard with
        {
            Models = new Dictionary<string, ModelCacheSettings> { ["uncached-backup"] = new(false, null) },
            SharedNamespaces = new HashSet<string>(StringComparer.Ordinal) { "team" },
        };
        // No actor is asked in these tests: the master key's hits need no admission, and plans none at all.
        var admission = new Admission(RequiredActors.Of<KeyBudgetActor>(ActorRefs.Nobody), RequiredActors.Of<ProviderBreakersActor>(ActorRefs.Nobody),
            new DeploymentBoard(), TimeSpan.FromSeconds(1),
            KeyActorAsks.Once(TimeSpan.FromSeconds(1), "router.admission-timeout"));
        _caching = new ResponseCaching(_store, settings, admission, TimeProvider.System);
    }

    public void Dispose() => _store.Dispose();

    [Fact]
    public void Two_keys_have_an_entry_each_in_a_namespace_of_their_own_and_share_one_in_a_shared_namespace()
    {
        var a = Plan("mock/m", KeyA)!;
        var b = Plan("mock/m", KeyB)!;
        var masters = Plan("mock/m", Master)!;

        Assert.Equal(3, new[] { a.Key, b.Key, masters.Key }.Distinct().Count());
        Assert.NotEqual(Plan("mock/m", KeyA, ns: "private")!.Key, Plan("mock/m", KeyB, ns: "private")!.Key);
        Assert.Equal(Plan("mock/m", KeyA, ns: "team")!.Key, Plan("mock/m", KeyB, ns: "team")!.Key);
        Assert.Equal(Plan("mock/m", KeyA, ns: "team")!.Key, Plan("mock/m", Master, ns: "team")!.Key);
        Assert.Null(Plan("mock/m", KeyA, ns: "team")!.Owner);
        Assert.Equal("key-a", a.Owner);
    }

    [Fact]
    public async Task No_cache_refreshes_the_callers_own_entry_and_leaves_another_keys_alone()
    {
        // The master key stands for "a key" here: its hits need no actor.
        var others = Plan("mock/m", KeyB)!;
        await _caching.StoreAsync(others, Request("mock/m"), Answered("mock/m", "mock", "the other key's answer"), null);
        await _caching.StoreAsync(Plan("mock/m", Master)!, Request("mock/m"), Answered("mock/m", "mock", "first"), null);

        var refresh = Plan("mock/m", Master, cacheControl: "no-cache")!;
        Assert.Null(await _caching.FindAsync(Context(), refresh, Master, "req-1", "mock/m"));
        await _caching.StoreAsync(refresh, Request("mock/m"), Answered("mock/m", "mock", "refreshed"), null);

        Assert.Equal("refreshed", TextOf(await _caching.FindAsync(Context(), Plan("mock/m", Master)!, Master, "req-2", "mock/m")));
        Assert.Equal("the other key's answer", TextOf(await _store.GetAsync(others.Key, Ct)));
    }

    [Fact]
    public async Task A_fallbacks_answer_is_stored_under_the_fallback_and_never_answers_the_model_that_failed()
    {
        var primary = Plan("primary", Master)!;

        await _caching.StoreAsync(primary, Request("primary"), Answered("backup", "elsewhere", "from the backup"), null);

        Assert.Null(await _store.GetAsync(primary.Key, Ct));
        Assert.Null(await _caching.FindAsync(Context(), primary, Master, "req-1", "primary"));
        var hit = await _caching.FindAsync(Context(), Plan("backup", Master)!, Master, "req-2", "backup");
        Assert.Equal("from the backup", TextOf(hit));
        Assert.Equal(new CacheProducer("backup", "elsewhere", "backup-model"), hit!.Producer);
    }

    [Fact]
    public async Task A_fallback_with_caching_off_leaves_its_answer_out()
    {
        await _caching.StoreAsync(Plan("primary", Master)!, Request("primary"), Answered("uncached-backup", "elsewhere", "not kept"), null);

        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task An_answer_from_another_deployment_under_the_same_key_is_a_miss_for_a_route_without_that_deployment()
    {
        var pair = Plan("pair", Master)!;
        var mockOnly = Plan("mock/pair-model", Master)!;
        Assert.Equal(pair.Key, mockOnly.Key); // keyed by the first deployment: mock's pair-model

        await _caching.StoreAsync(pair, Request("pair"), Answered("pair", "elsewhere", "said by elsewhere"), null);

        Assert.Null(await _caching.FindAsync(Context(), mockOnly, Master, "req-1", "mock/pair-model"));
        Assert.Equal("said by elsewhere", TextOf(await _caching.FindAsync(Context(), pair, Master, "req-2", "pair")));

        await _caching.StoreAsync(pair, Request("pair"), Answered("pair", "mock", "said by mock"), null);

        Assert.Equal("said by mock", TextOf(await _caching.FindAsync(Context(), mockOnly, Master, "req-3", "mock/pair-model")));
    }

    private CachePlan? Plan(string model, AuthenticatedKey key, string? ns = null, string? cacheControl = null)
    {
        var context = Context();
        if (ns is not null) context.Request.Headers["x-router-cache-namespace"] = ns;
        if (cacheControl is not null) context.Request.Headers.CacheControl = cacheControl;
        return _caching.Plan(context, Request(model), Routes.Resolve(model)!, ProxyOperation.ChatCompletions, key);
    }

    private static DefaultHttpContext Context() => new();

    private static ProxyRequest Request(string model) =>
        JsonSerializer.Deserialize(Body.Insert(1, $"\"model\":\"{model}\","), WireJsonContext.Default.ProxyRequest)!;

    /// <summary>An answer as the attempts produced it: by <paramref name="model"/>'s deployment on <paramref name="provider"/>.</summary>
    private static AttemptsResult Answered(string model, string provider, string text)
    {
        var match = Routes.Resolve(model)!;
        var deployment = match.Group.Deployments.Single(d => d.ProviderName == provider);
        var outcome = CallOutcome.Answered(new TokenUsage(3, 2, 0), TimeSpan.FromMilliseconds(5)) with { Body = Encoding.UTF8.GetBytes(text) };
        return new AttemptsResult(outcome, 1, match.Group.ModelName) { Producer = (match, deployment) };
    }

    private static string? TextOf(CachedResponse? hit) => hit is null ? null : Encoding.UTF8.GetString(hit.Body);
}
