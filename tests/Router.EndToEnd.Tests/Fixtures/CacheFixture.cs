using Router.MockUpstream;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>A mock provider, a real Redis, and a router caching in that Redis.</summary>
public sealed class CacheFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-e2e-cache-master-0b4e6f2a91-7e3c9";

    public MockOpenAiServer Mock { get; private set; } = null!;
    public RedisServer Redis { get; private set; } = null!;
    public RouterProcess Router { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Mock = await MockOpenAiServer.StartAsync();
        Redis = await RedisServer.StartNewAsync();
        Router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              cache { redis = "{{Redis.Endpoint}}", max-ttl = 1h, shared-namespaces = ["team"], models { "uncached/*" { enabled = false } } }
              providers {
                mock { type = openai-compatible, api-base = "{{Mock.ApiBase}}" }
                # The same server as a second provider: the same upstream name through another provider.
                elsewhere { type = openai-compatible, api-base = "{{Mock.ApiBase}}" }
              }
              models = [
                { name = "mock/*", provider = mock }, { name = "uncached/*", provider = mock }, { name = "other/*", provider = mock }
                { name = "elsewhere/*", provider = elsewhere }
                # One model on both providers under one upstream name (mock's first), which mock/both-model reaches alone.
                { name = "both", provider = mock, model = "both-model" }, { name = "both", provider = elsewhere, model = "both-model" }
                # Fails on its first call only, then falls back to a model on the other provider.
                { name = "cascade", provider = mock, model = "flaky-1-cascade", retries = 0, fallbacks = ["cascade-backup"] }
                { name = "cascade-backup", provider = elsewhere, model = "cascade-backup" }
              ]
            """);
    }

    public HttpClient Http(string key = MasterKey) => Router.CreateClient(key);

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Redis.DisposeAsync();
        await Mock.DisposeAsync();
    }
}

[CollectionDefinition("cache")]
public sealed class CacheCollection : ICollectionFixture<CacheFixture>;
