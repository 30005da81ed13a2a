using Akka.Configuration;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

/// <summary>The embedded router.conf, read with a controlled environment instead of the process's own.</summary>
public sealed class ShippedDefaultsTests
{
    private static RouterSettings Defaults(params (string Name, string Value)[] environment)
    {
        var map = environment.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        var hocon = HoconEnvironment.Resolve(HoconConfigLoader.ReadEmbedded("router.conf"), map.GetValueOrDefault);
        return RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon));
    }

    private static ProviderSettings Provider(RouterSettings settings, string name) => settings.Providers.Single(p => p.Name == name);

    [Fact]
    public void The_shipped_providers_are_defined()
    {
        Assert.Equal(
            ["anthropic", "gemini", "minimax", "nvidia-nim", "ollama", "openai", "openrouter", "xai"],
            Defaults().Providers.Select(p => p.Name).Order());
    }

    [Fact]
    public void Ollama_is_usable_without_a_key()
    {
        var ollama = Provider(Defaults(), "ollama");

        Assert.Equal(ProviderType.OpenAiCompatible, ollama.Type);
        Assert.Equal(new Uri("http://127.0.0.1:11434/v1"), ollama.ApiBase);
        Assert.Null(ollama.ApiKey);
        Assert.True(ollama.IsUsable);
    }

    [Fact]
    public void OpenAI_is_not_usable_without_OPENAI_API_KEY()
    {
        var openai = Provider(Defaults(), "openai");

        Assert.Equal(ProviderType.OpenAi, openai.Type);
        Assert.True(openai.KeyRequired);
        Assert.False(openai.IsUsable);
    }

    [Fact]
    public void OpenAI_is_usable_with_OPENAI_API_KEY()
    {
        var openai = Provider(Defaults(("OPENAI_API_KEY", "sk-test")), "openai");

        Assert.Equal("sk-test", openai.ApiKey);
        Assert.True(openai.IsUsable);
    }

    [Theory]
    [InlineData("anthropic", "ANTHROPIC_API_KEY")]
    [InlineData("gemini", "GEMINI_API_KEY")]
    [InlineData("xai", "XAI_API_KEY")]
    [InlineData("nvidia-nim", "NVIDIA_NIM_API_KEY")]
    [InlineData("minimax", "MINIMAX_API_KEY")]
    [InlineData("openrouter", "OPENROUTER_API_KEY")]
    public void Cloud_providers_need_their_own_key(string provider, string variable)
    {
        Assert.False(Provider(Defaults(), provider).IsUsable);
        Assert.True(Provider(Defaults((variable, "k")), provider).IsUsable);
    }

    [Fact]
    public void OpenRouter_sends_its_title_header()
    {
        Assert.Equal("Router", Provider(Defaults(), "openrouter").Headers["X-Title"]);
    }

    [Fact]
    public void Router_wide_defaults_are_as_documented()
    {
        var settings = Defaults();

        Assert.Equal("http://127.0.0.1:4000", settings.HttpUrls);
        Assert.Null(settings.MasterKey);
        Assert.Equal(Path.GetFullPath("data"), settings.DataDir);
        Assert.Equal(8388608, settings.MaxRequestBodyBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.AdmissionTimeout);
        Assert.Equal(new BreakerSettings(5, TimeSpan.FromSeconds(30)), settings.Breaker);
        Assert.All(settings.Providers, p => Assert.Equal(
            new ProviderTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(600)),
            p.Timeouts));
    }

    [Fact]
    public void The_environment_sets_master_key_and_data_dir()
    {
        var settings = Defaults(("ROUTER_MASTER_KEY", "sk-master-7e3c9a1f5b2d8e4c6a0f1b2c3d"), ("ROUTER_DATA_DIR", "/srv/router"));

        Assert.Equal("sk-master-7e3c9a1f5b2d8e4c6a0f1b2c3d", settings.MasterKey);
        Assert.Equal("/srv/router", settings.DataDir);
    }

    [Fact]
    public void The_catch_all_goes_to_openrouter_and_comes_last()
    {
        var models = Defaults().Models;

        Assert.Equal(new ModelEntry("*", "openrouter", null), models[^1]);
        Assert.Equal(models.Count, models.Select(m => m.Name).Distinct().Count());
    }

    [Fact]
    public void Without_keys_only_ollama_routes()
    {
        var settings = Defaults();
        var table = RouteTable.Build(settings.Models, settings.Providers.Where(p => p.IsUsable).Select(p => p.Name).ToHashSet());

        Assert.Equal("llama3", table.Resolve("ollama/llama3")?.UpstreamModel);
        Assert.Null(table.Resolve("gpt-4o"));
        Assert.Null(table.Resolve("anything-else"));
    }

    [Fact]
    public void With_every_key_each_family_routes_to_its_provider()
    {
        var settings = Defaults(("OPENAI_API_KEY", "k"), ("ANTHROPIC_API_KEY", "k"), ("GEMINI_API_KEY", "k"), ("XAI_API_KEY", "k"),
            ("NVIDIA_NIM_API_KEY", "k"), ("MINIMAX_API_KEY", "k"), ("OPENROUTER_API_KEY", "k"));
        var table = RouteTable.Build(settings.Models, settings.Providers.Where(p => p.IsUsable).Select(p => p.Name).ToHashSet());

        Assert.Equal(("openai", "gpt-4o"), Route(table, "gpt-4o"));
        Assert.Equal(("openai", "gpt-4o"), Route(table, "openai/gpt-4o"));
        Assert.Equal(("xai", "grok-2"), Route(table, "grok-2"));
        Assert.Equal(("nvidia-nim", "meta/llama-3.1-8b-instruct"), Route(table, "nvidia_nim/meta/llama-3.1-8b-instruct"));
        Assert.Equal(("minimax", "MiniMax-M1"), Route(table, "MiniMax-M1"));
        Assert.Equal(("anthropic", "claude-sonnet-4-5"), Route(table, "anthropic/claude-sonnet-4-5"));
        Assert.Equal(("anthropic", "claude-opus-4-1"), Route(table, "claude-opus-4-1"));
        Assert.Equal(("gemini", "gemini-2.5-flash"), Route(table, "gemini/gemini-2.5-flash"));
        Assert.Equal(("gemini", "gemini-2.5-pro"), Route(table, "gemini-2.5-pro"));
        Assert.Equal(("openrouter", "meta-llama/llama-4-scout"), Route(table, "meta-llama/llama-4-scout"));
    }

    [Fact]
    public void Without_an_Anthropic_key_its_models_fall_through_to_openrouter_under_the_same_name()
    {
        var settings = Defaults(("OPENROUTER_API_KEY", "k"));
        var table = RouteTable.Build(settings.Models, settings.Providers.Where(p => p.IsUsable).Select(p => p.Name).ToHashSet());

        Assert.Equal(("openrouter", "anthropic/claude-3.5-sonnet"), Route(table, "anthropic/claude-3.5-sonnet"));
    }

    [Fact]
    public void Anthropic_gets_a_default_completion_limit_because_its_API_requires_one()
    {
        Assert.Equal(4096, Provider(Defaults(), "anthropic").DefaultMaxTokens);
        Assert.Equal(ProviderType.Anthropic, Provider(Defaults(), "anthropic").Type);
        Assert.Equal(ProviderType.Gemini, Provider(Defaults(), "gemini").Type);
    }

    private static (string?, string?) Route(RouteTable table, string model) =>
        table.Resolve(model) is { } match ? (match.Deployment.ProviderName, match.UpstreamModel) : (null, null);
}
