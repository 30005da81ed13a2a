using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Import;
using Router.Host.Providers;
using Router.Host.Tests.Providers;
using Router.Host.Translation;

namespace Router.Host.Tests.Import;

/// <summary>
/// Issue 20: each LiteLLM <c>api_base</c> convention, imported and loaded as the router loads a file, sends a chat
/// to the address the provider answers: the URL the router would call is asserted, not only the text written.
/// </summary>
public sealed class LiteLlmApiBaseImportTests
{
    [Theory]
    // Anthropic: LiteLLM adds /v1/messages to its api_base unless it ends so.
    [InlineData("anthropic/claude-sonnet-4-5", "https://api.anthropic.com", ProviderType.Anthropic, "https://api.anthropic.com/v1/messages")]
    [InlineData("anthropic/claude-sonnet-4-5", "https://api.anthropic.com/v1/messages", ProviderType.Anthropic, "https://api.anthropic.com/v1/messages")]
    [InlineData("anthropic/claude-sonnet-4-5", "https://api.anthropic.com/v1", ProviderType.Anthropic, "https://api.anthropic.com/v1/messages")]
    [InlineData("anthropic/claude-sonnet-4-5", "https://gateway.ai.cloudflare.com/v1/acct/gw/anthropic", ProviderType.Anthropic,
        "https://gateway.ai.cloudflare.com/v1/acct/gw/anthropic/v1/messages")]
    [InlineData("minimax/MiniMax-M2", "https://api.minimax.io/anthropic", ProviderType.Anthropic, "https://api.minimax.io/anthropic/v1/messages")]
    [InlineData("minimax/MiniMax-M2", "https://api.minimax.io/anthropic/v1/messages", ProviderType.Anthropic, "https://api.minimax.io/anthropic/v1/messages")]
    // Gemini: LiteLLM calls {api_base}/models/{model}:generateContent, with the version in the api_base.
    [InlineData("gemini/gemini-2.5-flash", "https://generativelanguage.googleapis.com/v1beta", ProviderType.Gemini,
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent")]
    [InlineData("gemini/gemini-2.5-flash", "https://generativelanguage.googleapis.com", ProviderType.Gemini,
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent")]
    // OpenAI-compatible servers: the address as LiteLLM's OpenAI client used it, a full endpoint URL cut to its base.
    [InlineData("openai/qwen3", "http://10.0.0.5:8000/v1", ProviderType.OpenAiCompatible, "http://10.0.0.5:8000/v1/chat/completions")]
    [InlineData("openai/qwen3", "http://10.0.0.5:8000/v1/chat/completions", ProviderType.OpenAiCompatible, "http://10.0.0.5:8000/v1/chat/completions")]
    [InlineData("openai/qwen3", "http://10.0.0.5:8000", ProviderType.OpenAiCompatible, "http://10.0.0.5:8000/chat/completions")]
    [InlineData("openai/gpt-4o", "https://api.openai.com", ProviderType.OpenAi, "https://api.openai.com/v1/chat/completions")]
    [InlineData("hosted_vllm/meta-llama/Llama-3.1-8B-Instruct", "http://gpu-box:8000", ProviderType.OpenAiCompatible, "http://gpu-box:8000/v1/chat/completions")]
    [InlineData("hosted_vllm/meta-llama/Llama-3.1-8B-Instruct", "http://gpu-box:8000/v1", ProviderType.OpenAiCompatible, "http://gpu-box:8000/v1/chat/completions")]
    [InlineData("lm_studio/qwen2.5-7b", "http://desk:1234", ProviderType.OpenAiCompatible, "http://desk:1234/v1/chat/completions")]
    [InlineData("openrouter/meta-llama/llama-3.3-70b-instruct", "https://openrouter.ai/api/v1", ProviderType.OpenAiCompatible,
        "https://openrouter.ai/api/v1/chat/completions")]
    [InlineData("deepseek/deepseek-chat", "https://api.deepseek.com/v1", ProviderType.OpenAiCompatible, "https://api.deepseek.com/v1/chat/completions")]
    // Ollama: LiteLLM speaks its own API at the root; the router its OpenAI-compatible one under /v1.
    [InlineData("ollama/llama3.2", "http://gpu-box:11434", ProviderType.OpenAiCompatible, "http://gpu-box:11434/v1/chat/completions")]
    [InlineData("ollama_chat/llama3.2", "http://gpu-box:11434/", ProviderType.OpenAiCompatible, "http://gpu-box:11434/v1/chat/completions")]
    [InlineData("ollama_chat/llama3.2", "http://gpu-box:11434/v1", ProviderType.OpenAiCompatible, "http://gpu-box:11434/v1/chat/completions")]
    public async Task An_imported_api_base_reaches_the_providers_chat_endpoint(string model, string apiBase, ProviderType type, string expectedUrl)
    {
        var provider = ImportedProvider($$"""
            model_list:
              - model_name: m
                litellm_params: { model: {{model}}, api_base: "{{apiBase}}" }
            """);

        Assert.Equal(type, provider.Type);
        Assert.Equal(expectedUrl, await ChatUrlAsync(provider));
    }

    [Theory]
    [InlineData("openrouter/meta-llama/llama-3.3-70b-instruct", "https://openrouter.ai/api/v1/chat/completions")]
    [InlineData("anthropic/claude-sonnet-4-5", "https://api.anthropic.com/v1/messages")]
    [InlineData("gemini/gemini-2.5-flash", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent")]
    [InlineData("xai/grok-3", "https://api.x.ai/v1/chat/completions")]
    [InlineData("groq/llama-3.3-70b-versatile", "https://api.groq.com/openai/v1/chat/completions")]
    [InlineData("fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct", "https://api.fireworks.ai/inference/v1/chat/completions")]
    public async Task A_provider_without_an_api_base_is_reached_at_its_usual_address(string model, string expectedUrl)
    {
        var provider = ImportedProvider($$"""
            model_list:
              - { model_name: m, litellm_params: { model: {{model}} } }
            """);

        Assert.Equal(expectedUrl, await ChatUrlAsync(provider));
    }

    [Theory]
    [InlineData("anthropic/claude-sonnet-4-5", "https://api.anthropic.com", "anthropic")]
    [InlineData("gemini/gemini-2.5-flash", "https://generativelanguage.googleapis.com", "gemini")]
    [InlineData("openai/gpt-4o", "https://api.openai.com", "openai")]
    public void The_usual_address_written_the_litellm_way_keeps_the_shipped_provider(string model, string apiBase, string shipped)
    {
        var provider = ImportedProvider($$"""
            model_list:
              - { model_name: m, litellm_params: { model: {{model}}, api_base: "{{apiBase}}" } }
            """);

        Assert.Equal(shipped, provider.Name);
    }

    [Fact]
    public void An_address_completed_or_left_bare_says_so_in_a_note()
    {
        var result = LiteLlmImporter.Import("""
            model_list:
              - { model_name: vllm, litellm_params: { model: hosted_vllm/qwen3, api_base: "http://gpu-box:8000" } }
              - { model_name: custom, litellm_params: { model: openai/qwen3, api_base: "http://10.0.0.5:8000" } }
            """);

        Assert.Contains(result.Notes, n => n.Key == "model_list[0] (vllm).api_base" && n.Message.Contains("under /v1", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.Key == "model_list[1] (custom).api_base" && n.Message.Contains("add it if yours does", StringComparison.Ordinal));
    }

    private static ProviderSettings ImportedProvider(string yaml)
    {
        var result = LiteLlmImporter.Import(yaml);
        var settings = ImportFixtures.Load(HoconWriter.Write(result, "test.yaml"));
        var table = RouteTable.Build(settings.Models, settings.Providers.Select(p => p.Name).ToHashSet(), settings.DefaultPolicy);
        var name = table.Resolve("m")!.Deployment.ProviderName;
        return Assert.Single(settings.Providers, p => p.Name == name);
    }

    /// <summary>The URL a non-streamed chat goes to, through the provider's own client and dialect.</summary>
    private static async Task<string> ChatUrlAsync(ProviderSettings provider)
    {
        var handler = new CapturingHandler();
        using var client = new ProviderClient(provider, handler);
        var request = JsonSerializer.Deserialize("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", WireJsonContext.Wire.ProxyRequest)!;
        var upstreamModel = provider.Type == ProviderType.Gemini ? "gemini-2.5-flash" : "x";
        var call = client.Dialect.BuildCall(ProxyOperation.ChatCompletions, request, new CallContext(upstreamModel, false, new HeaderDictionary()));
        using var response = await client.SendAsync(call, provider.Timeouts.Connect, TestContext.Current.CancellationToken);
        return handler.Request!.RequestUri!.AbsoluteUri;
    }
}
