using System.Text.Json;
using Akka.Configuration;
using Microsoft.AspNetCore.Http;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Configuration;
using Router.Host.Providers;
using Router.Host.Translation;

namespace Router.Host.Tests.Providers;

/// <summary>Issue 20: Anthropic's and Gemini's api-base work with or without their version segment.</summary>
public sealed class VersionedApiBaseTests
{
    [Theory]
    [InlineData("https://api.anthropic.com", "https://api.anthropic.com/v1")]
    [InlineData("https://api.anthropic.com/", "https://api.anthropic.com/v1")]
    [InlineData("https://api.anthropic.com/v1", "https://api.anthropic.com/v1")]
    [InlineData("https://api.anthropic.com/v1/", "https://api.anthropic.com/v1")]
    [InlineData("http://127.0.0.1:11434", "http://127.0.0.1:11434/v1")]
    [InlineData("https://api.minimax.io/anthropic", "https://api.minimax.io/anthropic/v1")]
    [InlineData("https://gateway.ai.cloudflare.com/v1/acct/gw/anthropic", "https://gateway.ai.cloudflare.com/v1/acct/gw/anthropic/v1")]
    public void An_anthropic_address_ends_in_its_version(string given, string expected)
    {
        Assert.Equal(expected, VersionedApiBase.Complete(ProviderType.Anthropic, new Uri(given)).AbsoluteUri);
    }

    [Theory]
    [InlineData("https://generativelanguage.googleapis.com", "https://generativelanguage.googleapis.com/v1beta")]
    [InlineData("https://generativelanguage.googleapis.com/v1beta", "https://generativelanguage.googleapis.com/v1beta")]
    [InlineData("https://generativelanguage.googleapis.com/v1", "https://generativelanguage.googleapis.com/v1")]
    [InlineData("https://generativelanguage.googleapis.com/v1alpha/", "https://generativelanguage.googleapis.com/v1alpha")]
    [InlineData("https://gateway.ai.cloudflare.com/v1/acct/gw/google-ai-studio", "https://gateway.ai.cloudflare.com/v1/acct/gw/google-ai-studio/v1beta")]
    public void A_gemini_address_ends_in_its_version(string given, string expected)
    {
        Assert.Equal(expected, VersionedApiBase.Complete(ProviderType.Gemini, new Uri(given)).AbsoluteUri);
    }

    [Theory]
    [InlineData(ProviderType.OpenAi, "https://api.openai.com")]
    [InlineData(ProviderType.OpenAiCompatible, "https://openrouter.ai/api")]
    [InlineData(ProviderType.OpenAiCompatible, "http://10.0.0.5:8000")]
    public void An_openai_shaped_address_is_taken_as_written(ProviderType type, string given)
    {
        Assert.Equal(new Uri(given), VersionedApiBase.Complete(type, new Uri(given)));
    }

    [Theory]
    [InlineData("anthropic", "https://api.anthropic.com", "https://api.anthropic.com/v1")]
    [InlineData("anthropic", "https://api.anthropic.com/v1", "https://api.anthropic.com/v1")]
    [InlineData("gemini", "https://generativelanguage.googleapis.com", "https://generativelanguage.googleapis.com/v1beta")]
    [InlineData("gemini", "https://generativelanguage.googleapis.com/v1beta/", "https://generativelanguage.googleapis.com/v1beta")]
    [InlineData("openai-compatible", "http://10.0.0.5:8000/v1", "http://10.0.0.5:8000/v1")]
    public void The_config_reader_completes_the_address_once_for_every_use(string type, string apiBase, string expected)
    {
        var settings = RouterSettingsReader.Read(ConfigurationFactory.ParseString(
            $$"""router.providers.p { type = {{type}}, api-base = "{{apiBase}}", api-key = "k" }"""));

        Assert.Equal(expected, settings.Providers.Single(p => p.Name == "p").ApiBase.AbsoluteUri.TrimEnd('/'));
    }

    [Theory]
    [InlineData("anthropic", "https://api.anthropic.com", "https://api.anthropic.com/v1/messages")]
    [InlineData("anthropic", "https://api.anthropic.com/v1", "https://api.anthropic.com/v1/messages")]
    [InlineData("gemini", "https://generativelanguage.googleapis.com", "https://generativelanguage.googleapis.com/v1beta/models/m:generateContent")]
    [InlineData("gemini", "https://generativelanguage.googleapis.com/v1beta", "https://generativelanguage.googleapis.com/v1beta/models/m:generateContent")]
    public async Task Either_spelling_of_the_address_reaches_the_providers_endpoint(string type, string apiBase, string expected)
    {
        var settings = RouterSettingsReader.Read(ConfigurationFactory.ParseString(
            $$"""router.providers.p { type = {{type}}, api-base = "{{apiBase}}", api-key = "k" }""")).Providers.Single(p => p.Name == "p");
        var handler = new CapturingHandler();
        using var client = new ProviderClient(settings, handler);
        var request = JsonSerializer.Deserialize("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", WireJsonContext.Wire.ProxyRequest)!;

        var call = client.Dialect.BuildCall(ProxyOperation.ChatCompletions, request, new CallContext("m", false, new HeaderDictionary()));
        using var response = await client.SendAsync(call, settings.Timeouts.Connect, TestContext.Current.CancellationToken);

        Assert.Equal(expected, handler.Request!.RequestUri!.AbsoluteUri);
    }
}
