using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// One mock provider and one router in front of it, shared by the tests of the "gateway" collection.
/// Provider <c>mock</c> has generous timeouts; <c>strict</c> points at the same mock with one-second
/// timeouts, so timeout tests are quick and the rest are not affected by them. <c>claude</c> and
/// <c>google</c> are the same mock speaking Anthropic's and Gemini's wire formats; <c>claude-lenient</c> is
/// <c>claude</c> with <c>drop-params</c>.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-e2e-master-7f3a9c1d5e8b2a4f6c0d";
    public const string ProviderKey = "sk-mock-provider-secret-4b1e9a";

    public MockOpenAiServer Mock { get; private set; } = null!;
    public RouterProcess Router { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Mock = await MockOpenAiServer.StartAsync(requiredKey: ProviderKey);
        Router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              # These tests repeat identical requests on purpose; the cache has its own tests (CacheTests).
              cache.enabled = false
              max-request-body-bytes = 65536
              # These tests look at single attempts; retries and breakers have their own fixture (ResilienceFixture).
              routing.retries = 0
              breaker { consecutive-failures-to-open = 1000, minimum-calls-in-window = 1000000 }
              providers {
                mock { type = openai-compatible, api-base = "{{Mock.ApiBase}}", api-key = "{{ProviderKey}}", key-required = true
                       timeouts { first-byte = 10s, stream-idle = 30s } }
                strict { type = openai-compatible, api-base = "{{Mock.ApiBase}}", api-key = "{{ProviderKey}}"
                       timeouts { first-byte = 1s, stream-idle = 1s } }
                dead { type = openai-compatible, api-base = "http://127.0.0.1:9/v1" }
                claude { type = anthropic, api-base = "{{Mock.Root}}/anthropic/v1", api-key = "{{ProviderKey}}", default-max-tokens = 1024 }
                claude-lenient { type = anthropic, api-base = "{{Mock.Root}}/anthropic/v1", api-key = "{{ProviderKey}}", drop-params = true }
                google { type = gemini, api-base = "{{Mock.Root}}/gemini/v1beta", api-key = "{{ProviderKey}}" }
                oai { type = openai, api-base = "{{Mock.ApiBase}}", api-key = "{{ProviderKey}}" }
                responder { type = openai-compatible, api-base = "{{Mock.ApiBase}}", api-key = "{{ProviderKey}}", responses = native }
                lan-ollama { type = openai-compatible, api-base = "{{Mock.ApiBase}}", api-key = "{{ProviderKey}}", discover = true, discover-interval = 1s }
                gone-ollama { type = openai-compatible, api-base = "http://127.0.0.1:9/v1", discover = true, discover-interval = 1s }
              }
              # Anthropic's prices for a Sonnet, so that a native Messages answer's cache reads and writes are charged at their own rates.
              prices {
                "claude/native-exotic" { input-cost-per-token = 0.000003, output-cost-per-token = 0.000015
                                         cache-read-cost-per-token = 0.0000003, cache-write-cost-per-token = 0.00000375 }
              }
              models = [
                { name = "gpt-4o-mini", provider = mock }
                { name = "fast", provider = mock, model = "gpt-4o-mini" }
                { name = "text-embedding-3-small", provider = mock }
                { name = "mock/*", provider = mock }
                { name = "strict/*", provider = strict }
                { name = "dead-model", provider = dead }
                { name = "claude/*", provider = claude }
                { name = "claude-lenient/*", provider = claude-lenient }
                { name = "google/*", provider = google }
                { name = "oai/*", provider = oai }
                { name = "responder/*", provider = responder }
              ]
            """);
    }

    public OpenAIClient Sdk(string key = MasterKey) => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(Router.BaseUrl + "/v1"),
        // The SDK retries 429 and 5xx on its own; these tests must see each answer exactly once.
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    public HttpClient Http(string? key = MasterKey) => Router.CreateClient(key);

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Mock.DisposeAsync();
    }
}

[CollectionDefinition("gateway")]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>;
