using Router.MockUpstream;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// Two mock providers, <c>east</c> and <c>west</c>, and a router whose models fail on purpose in one
/// way each (the mock's failing model names), with quick retries, a three-failure breaker with a
/// one-second cooldown, and a retry budget wide enough never to be the reason a test fails.
/// </summary>
public sealed class ResilienceFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-e2e-resilience-master-5d2c8e1a";

    public MockOpenAiServer East { get; private set; } = null!;
    public MockOpenAiServer West { get; private set; } = null!;
    public RouterProcess Router { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        East = await MockOpenAiServer.StartAsync();
        West = await MockOpenAiServer.StartAsync();
        Router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              # These tests repeat identical requests on purpose; the cache has its own tests (CacheTests).
              cache.enabled = false
              retry { base-delay = 20ms, max-delay = 100ms, max-retry-after = 2s, budget-ratio = 1.0, budget-min-per-second = 1000 }
              breaker { consecutive-failures-to-open = 3, cooldown = 1s, minimum-calls-in-window = 1000 }
              providers {
                east { type = openai-compatible, api-base = "{{East.ApiBase}}", timeouts { first-byte = 5s, stream-idle = 5s } }
                west { type = openai-compatible, api-base = "{{West.ApiBase}}" }
                refused { type = openai-compatible, api-base = "http://127.0.0.1:9/v1" }
              }
              models = [
                { name = "balanced", provider = east, model = "echo-balanced", weight = 3 }
                { name = "balanced", provider = west, model = "echo-balanced", weight = 1 }
                { name = "least-busy", provider = east, model = "delay-150", strategy = least-in-flight }
                { name = "least-busy", provider = west, model = "delay-150" }
                { name = "fastest", provider = east, model = "delay-40", strategy = lowest-latency }
                { name = "fastest", provider = west, model = "echo-fastest" }
                { name = "half-broken", provider = east, model = "fail-500" }
                { name = "half-broken", provider = west, model = "echo-half-broken" }
                { name = "bad-request", provider = east, model = "fail-400", retries = 3 }
                { name = "flaky/*", provider = east, retries = 2 }
                { name = "stubborn/*", provider = east, retries = 1 }
                { name = "primary", provider = east, model = "flaky-1000-primary", retries = 1, fallbacks = ["backup"] }
                { name = "backup", provider = west, model = "echo-backup" }
                { name = "unreachable-first", provider = refused, model = "x" }
                { name = "unreachable-first", provider = west, model = "echo-unreachable" }
                { name = "slow-first", provider = east, model = "slow", timeouts { first-byte = 300ms } }
                { name = "slow-first", provider = west, model = "echo-slow-first" }
                { name = "dies/*", provider = east, retries = 3 }
                { name = "rate/*", provider = east, retries = 1 }
                { name = "limited", provider = east, model = "fail-429", fallbacks = ["backup"] }
                { name = "small-context", provider = east, model = "echo-small", max-input-tokens = 50, context-window-fallbacks = ["big-context"] }
                { name = "big-context", provider = west, model = "echo-big" }
                { name = "ctx-error", provider = east, model = "context-too-long", context-window-fallbacks = ["big-context"] }
                { name = "prude", provider = east, model = "content-policy", content-policy-fallbacks = ["backup"] }
                { name = "breaker/*", provider = east, retries = 0 }
              ]
            """);
    }

    public HttpClient Http() => Router.CreateClient(MasterKey);

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await West.DisposeAsync();
        await East.DisposeAsync();
    }
}

[CollectionDefinition("resilience")]
public sealed class ResilienceCollection : ICollectionFixture<ResilienceFixture>;
