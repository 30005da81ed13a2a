using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>A mock provider and a router of their own for the virtual key tests, so keys made here meet no other test's traffic.</summary>
public sealed class KeyApiFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-e2e-keyapi-master-2c8e4a6f1b3d5e7a";
    public const string ProviderKey = "sk-mock-provider-keyapi-9d2f7c";

    public MockOpenAiServer Mock { get; private set; } = null!;
    public RouterProcess Router { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Mock = await MockOpenAiServer.StartAsync(requiredKey: ProviderKey);
        Router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              # These tests repeat identical requests on purpose; the cache has its own tests (CacheTests).
              cache.enabled = false
              routing.retries = 0
              providers {
                mock { type = openai-compatible, api-base = "{{Mock.ApiBase}}", api-key = "{{ProviderKey}}", key-required = true }
              }
              models = [
                { name = "gpt-4o-mini", provider = mock }
                { name = "text-embedding-3-small", provider = mock }
                { name = "mock/*", provider = mock }
              ]
            """);
    }

    public OpenAIClient Sdk(string key) => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(Router.BaseUrl + "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    public HttpClient Http(string? key = MasterKey) => Router.CreateClient(key);

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Mock.DisposeAsync();
    }
}

[CollectionDefinition("keyapi")]
public sealed class KeyApiCollection : ICollectionFixture<KeyApiFixture>;
