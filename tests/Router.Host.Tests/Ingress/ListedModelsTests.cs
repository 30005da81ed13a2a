using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Host.Ingress;
using Router.Host.Providers;

namespace Router.Host.Tests.Ingress;

/// <summary>
/// What <c>/v1/models</c> and <c>/v1/model/info</c> list: names a client can send, never a pattern; the models behind
/// a wildcard route as the route names them, each where the route table would really send it.
/// </summary>
public sealed class ListedModelsTests
{
    private static RouteTable Table(params ModelEntry[] entries) => RouteTable.Build(entries, entries.Select(e => e.Provider).ToHashSet());

    private static readonly RouteTable Shipped = Table(
        new ModelEntry("fast", "ollama", "llama3.2:3b"),
        new ModelEntry("ollama/*", "ollama", null),
        new ModelEntry("gpt-*", "openai", null),
        new ModelEntry("openai/*", "openai", null),
        new ModelEntry("anthropic/*", "anthropic", null),
        new ModelEntry("openrouter/*", "openrouter", null),
        new ModelEntry("*", "openrouter", null));

    private static DiscoveredModels Lists()
    {
        var lists = new DiscoveredModels();
        lists.Set("ollama", ["llama3.2:3b", "qwen2.5-coder:7b"]);
        lists.Set("openai", ["gpt-4o", "dall-e-3"]);
        lists.Set("openrouter", ["meta-llama/llama-3.3-70b", "anthropic/claude-sonnet-4"]);
        return lists;
    }

    [Fact]
    public void Wildcard_routes_list_their_providers_models_as_the_routes_name_them_and_never_a_pattern()
    {
        var names = ListedModels.For(Shipped, Lists(), _ => true).Select(m => m.Name).ToList();

        Assert.Equal(
            [
                "fast",
                "ollama/llama3.2:3b", "ollama/qwen2.5-coder:7b",
                "gpt-4o",
                "openai/dall-e-3", "openai/gpt-4o",
                "openrouter/anthropic/claude-sonnet-4", "openrouter/meta-llama/llama-3.3-70b",
                "meta-llama/llama-3.3-70b",
            ],
            names);
        Assert.DoesNotContain(names, name => name.Contains('*', StringComparison.Ordinal));
    }

    [Fact]
    public void A_name_another_route_takes_is_not_listed_under_this_one()
    {
        // OpenRouter's anthropic/claude-sonnet-4 under "*" would be routed to the anthropic provider by "anthropic/*".
        var listed = ListedModels.For(Shipped, Lists(), _ => true);

        Assert.DoesNotContain(listed, m => m.Name == "anthropic/claude-sonnet-4");
        var llama = Assert.Single(listed, m => m.Name == "openrouter/meta-llama/llama-3.3-70b");
        Assert.Equal("openrouter", llama.Deployment.ProviderName);
        Assert.Equal("meta-llama/llama-3.3-70b", llama.UpstreamModel);
    }

    [Fact]
    public void A_provider_without_a_list_hides_only_its_own_models()
    {
        var lists = Lists();
        lists.Hide("openrouter");

        var names = ListedModels.For(Shipped, lists, _ => true).Select(m => m.Name).ToList();

        Assert.DoesNotContain(names, name => name.StartsWith("openrouter/", StringComparison.Ordinal) || name.StartsWith("meta-llama/", StringComparison.Ordinal));
        Assert.Contains("ollama/llama3.2:3b", names);
        Assert.Contains("gpt-4o", names);
    }

    [Fact]
    public void A_key_sees_only_the_names_its_models_allow()
    {
        var names = ListedModels.For(Shipped, Lists(), name => ModelPattern.Matches("ollama/*", name)).Select(m => m.Name).ToList();

        Assert.Equal(["ollama/llama3.2:3b", "ollama/qwen2.5-coder:7b"], names);
    }

    [Fact]
    public void A_model_two_deployments_of_one_pattern_both_list_is_listed_once()
    {
        var table = Table(new ModelEntry("llama/*", "box-a", null), new ModelEntry("llama/*", "box-b", null));
        var lists = new DiscoveredModels();
        lists.Set("box-a", ["llama3"]);
        lists.Set("box-b", ["llama3", "qwen"]);

        var listed = ListedModels.For(table, lists, _ => true);

        Assert.Equal(["llama/llama3", "llama/qwen"], listed.Select(m => m.Name));
        Assert.Equal("box-a", listed[0].Deployment.ProviderName);
    }

    [Fact]
    public void Lists_are_kept_per_provider_and_a_hidden_one_is_gone()
    {
        var lists = new DiscoveredModels();
        lists.Set("gpu-box", ["qwen2.5:72b", "llama3.1:70b"]);
        lists.Set("ollama", ["llama3.2:3b"]);
        lists.Set("ollama", ["mistral:7b"]);

        Assert.Equal(["llama3.1:70b", "qwen2.5:72b"], lists.Of("gpu-box"));
        Assert.True(lists.Contains("ollama/mistral:7b"));
        Assert.False(lists.Contains("ollama/llama3.2:3b"));
        lists.Hide("gpu-box");
        Assert.Empty(lists.Of("gpu-box"));
        Assert.False(lists.Contains("gpu-box/qwen2.5:72b"));
    }
}
