using Router.MockUpstream;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// A router whose wildcard routes go to providers of every list format on one mock: <c>openrouter</c>
/// (OpenAI-compatible <c>GET /models</c>), <c>claude</c> (Anthropic, paged) and <c>google</c> (Gemini, paged), all
/// needing the key; <c>down</c>, which nothing answers, and <c>refusing</c>, whose key the mock refuses (401). The
/// route list replaces the shipped one, so the answer holds exactly what these routes give.
/// </summary>
public sealed class ModelListFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-e2e-model-lists-master-3f8a1c";
    public const string ProviderKey = "sk-e2e-model-lists-provider-secret-9d2b";
    public const string RefusedKey = "sk-e2e-model-lists-refused-secret-6e4f";
    public const string DownKey = "sk-e2e-model-lists-down-secret-1a7c";

    public MockOpenAiServer Mock { get; private set; } = null!;
    public RouterProcess Router { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Mock = await MockOpenAiServer.StartAsync(requiredKey: ProviderKey);
        // local = false: the mock is on loopback, but these stand for paid providers, priced from the shipped table.
        Router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              cache.enabled = false
              providers {
                # The shipped Ollama would add its own ollama/* route; a real one on this machine must not change the answer.
                ollama { discover = false }
                openrouter { api-base = "{{Mock.ApiBase}}", api-key = "{{ProviderKey}}" }
                claude { type = anthropic, api-base = "{{Mock.Root}}/anthropic/v1", api-key = "{{ProviderKey}}", local = false }
                google { type = gemini, api-base = "{{Mock.Root}}/gemini/v1beta", api-key = "{{ProviderKey}}", local = false }
                down { type = openai-compatible, api-base = "http://127.0.0.1:9/v1", api-key = "{{DownKey}}" }
                refusing { type = openai-compatible, api-base = "{{Mock.ApiBase}}", api-key = "{{RefusedKey}}" }
              }
              models = [
                { name = "haiku", provider = claude, model = "claude-3-haiku-20240307" }
                { name = "openrouter/*", provider = openrouter }
                { name = "claude/*", provider = claude }
                { name = "google/*", provider = google }
                { name = "down/*", provider = down }
                { name = "refusing/*", provider = refusing }
              ]
            """);
    }

    public HttpClient Http(string key = MasterKey) => Router.CreateClient(key);

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Mock.DisposeAsync();
    }
}
