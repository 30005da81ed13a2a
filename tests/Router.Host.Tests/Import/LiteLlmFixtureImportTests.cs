using Router.Actors.Routing;
using Router.Contracts.Configuration;

namespace Router.Host.Tests.Import;

/// <summary>
/// Realistic LiteLLM configs (modelled on LiteLLM's proxy config and routing docs) imported, written as
/// HOCON, and read back by the router's real loader: what the router would run with is asserted.
/// </summary>
public sealed class LiteLlmFixtureImportTests
{
    public static TheoryData<string> Fixtures() => ["homelab.yaml", "team.yaml", "odd.yaml"];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_fixture_loads_and_builds_a_route_table(string fixture)
    {
        var (_, hocon) = ImportFixtures.Import(fixture);

        var settings = ImportFixtures.Load(hocon);
        var table = RouteTable.Build(settings.Models, settings.Providers.Select(p => p.Name).ToHashSet(), settings.DefaultPolicy);

        Assert.All(settings.Models, m => Assert.Contains(settings.Providers, p => p.Name == m.Provider));
        Assert.NotEmpty(table.Deployments);
    }

    [Fact]
    public void Homelab_ollama_boxes_and_clouds_become_providers_and_routes()
    {
        var (result, hocon) = ImportFixtures.Import("homelab.yaml");
        var settings = ImportFixtures.Load(hocon);
        var table = RouteTable.Build(settings.Models, settings.Providers.Select(p => p.Name).ToHashSet(), settings.DefaultPolicy);

        var local = Provider(settings, "ollama");
        Assert.Equal(("http://localhost:11434/v1", ProviderType.OpenAiCompatible), (local.ApiBase.AbsoluteUri.TrimEnd('/'), local.Type));
        Assert.Null(local.Discovery);
        Assert.Equal("http://192.168.1.50:11434/v1", Provider(settings, "ollama-192-168-1-50").ApiBase.AbsoluteUri.TrimEnd('/'));
        Assert.Equal(ProviderType.Gemini, Provider(settings, "gemini").Type);
        Assert.Equal(ProviderType.Anthropic, Provider(settings, "anthropic").Type);

        var big = table.Resolve("llama3.1-70b")!;
        Assert.Equal(["ollama-192-168-1-50", "ollama-192-168-1-51"], big.Group.Deployments.Select(d => d.ProviderName));
        Assert.Equal("llama3.1:70b", big.UpstreamModel);
        Assert.Equal(["gpt-4o-mini"], big.Group.Policy.Fallbacks!);
        Assert.Equal(["gpt-4o"], table.Resolve("claude-sonnet")!.Group.Policy.Fallbacks!);
        Assert.Equal("claude-sonnet-4-20250514", table.Resolve("claude-sonnet")!.UpstreamModel);

        var coder = Assert.Single(settings.Models, m => m.Name == "qwen-coder");
        Assert.Equal((32768, TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60)), (coder.MaxInputTokens, coder.Timeouts!.Total, coder.Timeouts.StreamIdle));
        Assert.Equal(["gemini-flash"], table.Resolve("qwen-coder")!.Group.Policy.ContextWindowFallbacks!);

        var openRouter = table.Resolve("openrouter/meta-llama/llama-3.1-8b-instruct")!;
        Assert.Equal(("openrouter", "meta-llama/llama-3.1-8b-instruct"), (openRouter.Deployment.ProviderName, openRouter.UpstreamModel));
        Assert.Null(table.Resolve("some-unlisted-model"));

        Assert.Equal((BalancingStrategy.WeightedRoundRobin, 2), (settings.DefaultPolicy.Strategy, settings.DefaultPolicy.Retries));
        Assert.Equal(TimeSpan.FromSeconds(600), Provider(settings, "openai").Timeouts.Total);
        // LiteLLM cached nothing here; the router's default cache is switched off to match.
        Assert.False(settings.Cache.Enabled);
        Assert.Contains("master-key = ${?LITELLM_MASTER_KEY}", hocon);
        Assert.Contains(result.Notes, n => n.Key == "litellm_settings.drop_params");
    }

    [Fact]
    public void Team_azure_and_openai_deployments_are_weighted_by_rpm_with_fallbacks_breaker_and_redis_cache()
    {
        var (result, hocon) = ImportFixtures.Import("team.yaml");
        var settings = ImportFixtures.Load(hocon);
        var table = RouteTable.Build(settings.Models, settings.Providers.Select(p => p.Name).ToHashSet(), settings.DefaultPolicy);

        var gpt4o = table.Resolve("gpt-4o")!.Group;
        Assert.Equal(
            [("azure-contoso-eu", "gpt-4o-eu", 3), ("azure-contoso-us", "gpt-4o-us", 2), ("openai", "gpt-4o", 1)],
            gpt4o.Deployments.Select(d => (d.ProviderName, d.UpstreamModelFor("gpt-4o"), d.Weight)));
        var eu = Provider(settings, "azure-contoso-eu");
        Assert.Equal(("https://contoso-eu.openai.azure.com/openai/v1", ProviderType.OpenAiCompatible, true),
            (eu.ApiBase.AbsoluteUri.TrimEnd('/'), eu.Type, eu.KeyRequired));
        Assert.Contains("api-key = ${?AZURE_API_KEY_EU}", hocon);

        Assert.Equal(["claude-sonnet"], gpt4o.Policy.Fallbacks!);
        Assert.Equal(["claude-haiku"], gpt4o.Policy.ContentPolicyFallbacks!);
        Assert.Equal(["gpt-4o"], table.Resolve("gpt-4o-mini")!.Group.Policy.ContextWindowFallbacks!);
        // model_group_alias: gpt-4 is gpt-4o under another name, fallbacks included.
        var alias = table.Resolve("gpt-4")!.Group;
        Assert.Equal(gpt4o.Deployments.Select(d => (d.ProviderName, d.UpstreamModelFor("gpt-4o"), d.Weight)),
            alias.Deployments.Select(d => (d.ProviderName, d.UpstreamModelFor("gpt-4"), d.Weight)));
        Assert.Equal(["claude-sonnet"], alias.Policy.Fallbacks!);
        Assert.Equal("claude-3-5-haiku-20241022", table.Resolve("claude-haiku")!.UpstreamModel);
        Assert.Equal("text-embedding-3-large", table.Resolve("embed")!.UpstreamModel);

        Assert.Equal((BalancingStrategy.LowestLatency, 3), (settings.DefaultPolicy.Strategy, settings.DefaultPolicy.Retries));
        Assert.Equal(["gpt-4o-mini"], settings.DefaultPolicy.Fallbacks!);
        Assert.Equal((4, TimeSpan.FromSeconds(60)), (settings.Breaker.ConsecutiveFailuresToOpen, settings.Breaker.Cooldown));
        Assert.Equal(TimeSpan.FromSeconds(1), settings.Retry.BaseDelay);
        Assert.Equal((TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(45)), (Provider(settings, "anthropic").Timeouts.Total, Provider(settings, "anthropic").Timeouts.StreamIdle));
        Assert.Equal(TimeSpan.FromSeconds(30), Assert.Single(settings.Models, m => m.Name == "gpt-4o-mini").Timeouts!.Total);

        Assert.Equal((true, "redis.team.internal:6380", TimeSpan.FromSeconds(600)), (settings.Cache.Enabled, settings.Cache.Redis, settings.Cache.Ttl));
        Assert.Equal(new ModelPrice(0.00000015m, 0.0000006m), settings.Prices["gpt-4o-mini"]);

        Assert.Contains(result.Notes, n => n.Key == "model_list[0] (gpt-4o).litellm_params.rpm = 900");
        Assert.Contains("litellm rpm = 900, tpm = 150000", hocon);
        Assert.Contains(result.Notes, n => n.Key == "litellm_settings.cache_params.password");
        Assert.Contains(result.Notes, n => n.Key == "general_settings.database_url");
        Assert.Contains(result.Notes, n => n.Key == "litellm_settings.success_callback");
    }

    [Fact]
    public void Odd_xai_nim_minimax_and_vllm_are_served_and_what_cannot_be_is_listed()
    {
        var (result, hocon) = ImportFixtures.Import("odd.yaml");
        var settings = ImportFixtures.Load(hocon);
        var table = RouteTable.Build(settings.Models, settings.Providers.Select(p => p.Name).ToHashSet(), settings.DefaultPolicy);

        Assert.Equal([("xai", 7), ("xai-2", 3)], table.Resolve("grok")!.Group.Deployments.Select(d => (d.ProviderName, d.Weight)));
        var nim = table.Resolve("llama-nim")!;
        Assert.Equal(("nvidia-nim", "meta/llama-3.3-70b-instruct"), (nim.Deployment.ProviderName, nim.UpstreamModel));
        Assert.Equal("https://integrate.api.nvidia.com/v1", Provider(settings, "nvidia-nim").ApiBase.AbsoluteUri.TrimEnd('/'));
        Assert.Equal("minimax", table.Resolve("minimax-m2")!.Deployment.ProviderName);
        var minimaxAnthropic = Provider(settings, table.Resolve("minimax-anthropic")!.Deployment.ProviderName);
        Assert.Equal((ProviderType.Anthropic, "https://api.minimax.io/anthropic/v1"), (minimaxAnthropic.Type, minimaxAnthropic.ApiBase.AbsoluteUri.TrimEnd('/')));
        var vllm = table.Resolve("qwen-vllm")!;
        Assert.Equal(("http://vllm.lan:8000/v1", "Qwen/Qwen2.5-72B-Instruct"), (Provider(settings, vllm.Deployment.ProviderName).ApiBase.AbsoluteUri.TrimEnd('/'), vllm.UpstreamModel));

        // Vertex and Bedrock have no provider here: listed, not routed.
        Assert.Null(table.Resolve("gemini-vertex")?.Group.Deployments.FirstOrDefault(d => d.ModelName == "gemini-vertex"));
        Assert.Contains(result.Notes, n => n.Key == "model_list[6] (gemini-vertex)" && n.Message.Contains("Vertex AI"));
        Assert.Contains(result.Notes, n => n.Key == "model_list[7] (titan)");
        // model: "*" keeps LiteLLM's pass-through as the shipped routes.
        Assert.Equal("anthropic", table.Resolve("claude-3-7-sonnet-latest")!.Deployment.ProviderName);
        Assert.Equal("openrouter", table.Resolve("mistralai/mistral-large")!.Deployment.ProviderName);
        Assert.Equal(["xai", "xai-2"], table.Resolve("fast")!.Group.Deployments.Select(d => d.ProviderName));

        Assert.Equal(BalancingStrategy.WeightedRoundRobin, settings.DefaultPolicy.Strategy);
        Assert.Equal(["llama-nim"], settings.DefaultPolicy.Fallbacks!);
        Assert.Equal((false, TimeSpan.FromSeconds(300)), (settings.Cache.Enabled, settings.Cache.Ttl));
        Assert.Contains(result.Notes, n => n.Key == "router_settings.routing_strategy" && n.Message.Contains("usage-based-routing-v2"));
        Assert.Contains(result.Notes, n => n.Key == "model_list[2] (llama-nim).litellm_params.tpm = 60000");
        Assert.DoesNotContain("master-key", hocon);
    }

    [Fact]
    public void Keys_written_into_the_yaml_never_reach_the_output_and_are_read_from_the_named_variables()
    {
        var (result, hocon) = ImportFixtures.Import("odd.yaml");
        var everything = hocon + string.Join('\n', result.Notes);

        foreach (var secret in new[] { "xai-LITERAL-test-key-0000", "sk-vllm-LITERAL-secret-1111", "sk-proj-LITERAL-openai-2222", "sk-LITERAL-master-3333", "LITERAL-env-token-4444" })
            Assert.DoesNotContain(secret, everything);
        Assert.Contains(result.Notes, n => n.Message.Contains("export ROUTER_IMPORTED_XAI_2_KEY"));

        var settings = ImportFixtures.Load(hocon, ("ROUTER_IMPORTED_XAI_2_KEY", "xai-exported"), ("XAI_API_KEY", "xai-env"));
        Assert.Equal(("xai-env", "xai-exported"), (Provider(settings, "xai").ApiKey, Provider(settings, "xai-2").ApiKey));
    }

    private static ProviderSettings Provider(RouterSettings settings, string name) => Assert.Single(settings.Providers, p => p.Name == name);
}
