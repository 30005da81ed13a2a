using Router.Host.Import;

namespace Router.Host.Tests.Import;

/// <summary>Single translations of the importer, each on a LiteLLM snippet as small as shows it.</summary>
public sealed class LiteLlmImporterTests
{
    private static (ImportResult Result, string Hocon) Import(string yaml)
    {
        var result = LiteLlmImporter.Import(yaml);
        return (result, HoconWriter.Write(result, "test.yaml"));
    }

    [Theory]
    [InlineData("model_list: [oops", "not valid YAML at line")]
    [InlineData("- model_name: a", "the top level is not a mapping")]
    [InlineData("", "the file is empty")]
    public void A_file_that_is_not_a_LiteLLM_config_is_refused_with_the_reason(string yaml, string reason)
    {
        var refused = Assert.Throws<ImportException>(() => LiteLlmImporter.Import(yaml));

        Assert.Contains(reason, refused.Message);
    }

    [Fact]
    public void Rpm_weights_are_reduced_to_the_same_proportions()
    {
        var (_, hocon) = Import("""
            model_list:
              - { model_name: m, litellm_params: { model: openai/gpt-4o, rpm: 480 } }
              - { model_name: m, litellm_params: { model: openai/gpt-4o, api_key: os.environ/OPENAI_KEY_B, rpm: 100 } }
            """);

        var settings = ImportFixtures.Load(hocon);

        Assert.Equal([("openai", 24), ("openai-b", 5)], Imported(settings).Select(m => (m.Provider, m.Weight)));
    }

    [Fact]
    public void A_weight_of_zero_becomes_the_least_weight_and_says_so()
    {
        var (_, hocon) = Import("""
            model_list:
              - { model_name: m, litellm_params: { model: xai/grok-3, weight: 2 } }
              - { model_name: m, litellm_params: { model: xai/grok-3, api_key: os.environ/XAI_SPARE_KEY } }
            """);

        var settings = ImportFixtures.Load(hocon);

        Assert.Equal([2, 1], Imported(settings).Select(m => m.Weight));
        Assert.Contains("LiteLLM's 0 means never picked", hocon);
    }

    [Fact]
    public void An_api_base_from_the_environment_is_required_when_the_router_starts()
    {
        var (result, hocon) = Import("""
            model_list:
              - { model_name: local, litellm_params: { model: openai/qwen3, api_base: os.environ/VLLM_API_BASE } }
            """);

        Assert.Contains("api-base = ${VLLM_API_BASE}", hocon);
        Assert.Contains(result.Notes, n => n.Key == "model_list[0] (local).api_base" && n.Message.Contains("VLLM_API_BASE must be set"));
        var settings = ImportFixtures.Load(hocon, ("VLLM_API_BASE", "http://10.0.0.5:8000/v1"));
        Assert.Equal("http://10.0.0.5:8000/v1", Assert.Single(settings.Providers, p => p.Name == settings.Models[0].Provider).ApiBase.AbsoluteUri);
    }

    [Fact]
    public void A_redis_host_from_the_environment_on_the_default_port_is_read_from_that_variable()
    {
        var (_, hocon) = Import("""
            model_list: []
            litellm_settings:
              cache: true
              cache_params: { type: redis, host: os.environ/REDIS_HOST }
            """);

        var settings = ImportFixtures.Load(hocon, ("REDIS_HOST", "cache.lan"));

        Assert.Equal((true, "cache.lan"), (settings.Cache.Enabled, settings.Cache.Redis));
    }

    [Fact]
    public void A_redis_host_set_in_the_files_environment_section_is_used()
    {
        var (_, hocon) = Import("""
            litellm_settings: { cache: true }
            environment_variables: { REDIS_HOST: redis.lan, REDIS_PORT: "6390", REDIS_PASSWORD: hunter2-secret }
            """);

        var settings = ImportFixtures.Load(hocon);

        Assert.Equal("redis.lan:6390", settings.Cache.Redis);
        Assert.DoesNotContain("hunter2-secret", hocon);
    }

    [Fact]
    public void A_fallback_for_a_model_nobody_serves_is_listed_not_lost()
    {
        var (result, _) = Import("""
            model_list:
              - { model_name: a, litellm_params: { model: openai/gpt-4o } }
            router_settings:
              fallbacks: [{ "missing": ["a"] }, { "a": ["also-missing"] }]
            """);

        Assert.Contains(result.Notes, n => n.Key == "router_settings.fallbacks (missing)");
        Assert.Contains(result.Notes, n => n.Message.Contains("'also-missing', which no imported route serves"));
    }

    [Fact]
    public void Router_settings_retries_win_over_litellm_settings_and_the_replacement_is_noted()
    {
        var (result, hocon) = Import("""
            litellm_settings: { num_retries: 1 }
            router_settings: { num_retries: 4 }
            """);

        Assert.Equal(4, ImportFixtures.Load(hocon).DefaultPolicy.Retries);
        Assert.Contains(result.Notes, n => n.Key == "router_settings.num_retries");
    }

    [Fact]
    public void Without_a_model_list_the_shipped_routes_stay()
    {
        var (result, hocon) = Import("general_settings: { master_key: os.environ/PROXY_KEY }");

        var settings = ImportFixtures.Load(hocon, ("PROXY_KEY", "mk-from-env-0123456789abcdef0123456789"));

        Assert.Contains(settings.Models, m => m is { Name: "gpt-*", Provider: "openai" });
        Assert.Equal("mk-from-env-0123456789abcdef0123456789", settings.MasterKey);
        Assert.Contains(result.Notes, n => n.Key == "model_list");
    }

    [Fact]
    public void Unknown_sections_and_entries_are_listed()
    {
        var (result, _) = Import("""
            model_list:
              - { model_name: "a*b", litellm_params: { model: openai/x } }
              - { model_name: c, litellm_params: { model: cohere/command-r } }
              - { model_name: d }
            include: [more.yaml]
            """);

        Assert.Equal(["include", "model_list", "model_list[0] (a*b)", "model_list[1] (c)", "model_list[2] (d)"],
            result.Notes.Select(n => n.Key).Where(k => !k.StartsWith("litellm_settings", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public void An_empty_model_list_routes_nothing()
    {
        var (_, hocon) = Import("model_list: []");

        Assert.Empty(Imported(ImportFixtures.Load(hocon)));
    }

    /// <summary>The routes from the file: the shipped, discovering ollama provider adds its own ollama/* route.</summary>
    private static IEnumerable<Router.Contracts.Configuration.ModelEntry> Imported(Router.Contracts.Configuration.RouterSettings settings) =>
        settings.Models.Where(m => m.Name != "ollama/*");
}
