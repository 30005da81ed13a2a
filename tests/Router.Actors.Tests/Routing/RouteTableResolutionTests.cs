using Router.Actors.Routing;
using Router.Contracts.Configuration;

namespace Router.Actors.Tests.Routing;

public sealed class RouteTableResolutionTests
{
    private static RouteTable Table(params ModelEntry[] entries) =>
        RouteTable.Build(entries, entries.Select(e => e.Provider).ToHashSet());

    [Fact]
    public void An_exact_name_resolves_to_its_entry_and_is_sent_upstream_unchanged()
    {
        var table = Table(new ModelEntry("gpt-4o-mini", "openai", null));

        var match = table.Resolve("gpt-4o-mini");

        Assert.NotNull(match);
        Assert.Equal("openai", match.Deployment.ProviderName);
        Assert.Equal("gpt-4o-mini", match.UpstreamModel);
    }

    [Fact]
    public void An_alias_sends_its_configured_model_upstream()
    {
        var table = Table(new ModelEntry("fast", "ollama", "llama3.2:3b"));

        var match = table.Resolve("fast");

        Assert.NotNull(match);
        Assert.Equal("ollama", match.Deployment.ProviderName);
        Assert.Equal("llama3.2:3b", match.UpstreamModel);
    }

    [Fact]
    public void A_namespace_wildcard_strips_its_prefix()
    {
        var table = Table(new ModelEntry("ollama/*", "ollama", null));

        var match = table.Resolve("ollama/llama3");

        Assert.NotNull(match);
        Assert.Equal("ollama/*", match.Deployment.ModelName);
        Assert.Equal("llama3", match.UpstreamModel);
    }

    [Fact]
    public void A_namespace_wildcard_keeps_deeper_slashes_of_the_captured_name()
    {
        var table = Table(new ModelEntry("openrouter/*", "openrouter", null));

        Assert.Equal("meta-llama/llama-3.1-8b-instruct", table.Resolve("openrouter/meta-llama/llama-3.1-8b-instruct")?.UpstreamModel);
    }

    [Fact]
    public void A_non_namespace_pattern_sends_the_full_requested_name()
    {
        var table = Table(new ModelEntry("gpt-*", "openai", null));

        Assert.Equal("gpt-4o-mini", table.Resolve("gpt-4o-mini")?.UpstreamModel);
    }

    [Fact]
    public void An_explicit_model_with_a_star_takes_what_the_pattern_captured()
    {
        var table = Table(new ModelEntry("local/*", "ollama", "library/*"));

        Assert.Equal("library/qwen2.5", table.Resolve("local/qwen2.5")?.UpstreamModel);
    }

    [Fact]
    public void An_explicit_model_without_a_star_replaces_every_name_the_pattern_matches()
    {
        var table = Table(new ModelEntry("cheap-*", "ollama", "llama3"));

        Assert.Equal("llama3", table.Resolve("cheap-anything")?.UpstreamModel);
    }

    [Fact]
    public void The_catch_all_takes_any_name_and_sends_it_unchanged()
    {
        var table = Table(new ModelEntry("*", "openrouter", null));

        var match = table.Resolve("anthropic/claude-3.5-sonnet");

        Assert.NotNull(match);
        Assert.Equal("openrouter", match.Deployment.ProviderName);
        Assert.Equal("anthropic/claude-3.5-sonnet", match.UpstreamModel);
    }

    [Fact]
    public void An_exact_name_beats_a_pattern_that_also_matches_whatever_the_order()
    {
        var table = Table(
            new ModelEntry("gpt-*", "openrouter", null),
            new ModelEntry("gpt-4o", "openai", null));

        Assert.Equal("openai", table.Resolve("gpt-4o")?.Deployment.ProviderName);
        Assert.Equal("openrouter", table.Resolve("gpt-4o-mini")?.Deployment.ProviderName);
    }

    [Fact]
    public void The_longest_matching_pattern_wins_whatever_the_order()
    {
        var table = Table(
            new ModelEntry("*", "openrouter", null),
            new ModelEntry("gpt-*", "openai", null),
            new ModelEntry("gpt-4o-*", "azure", null));

        Assert.Equal("azure", table.Resolve("gpt-4o-mini")?.Deployment.ProviderName);
        Assert.Equal("openai", table.Resolve("gpt-3.5-turbo")?.Deployment.ProviderName);
        Assert.Equal("openrouter", table.Resolve("mistral-large")?.Deployment.ProviderName);
    }

    [Fact]
    public void A_bare_namespace_does_not_match_its_wildcard()
    {
        var table = Table(new ModelEntry("ollama/*", "ollama", null));

        Assert.Null(table.Resolve("ollama/"));
    }

    [Fact]
    public void A_bare_namespace_falls_through_to_the_catch_all()
    {
        var table = Table(
            new ModelEntry("ollama/*", "ollama", null),
            new ModelEntry("*", "openrouter", null));

        Assert.Equal("openrouter", table.Resolve("ollama/")?.Deployment.ProviderName);
    }

    [Fact]
    public void An_unrouted_name_resolves_to_null_without_a_catch_all()
    {
        var table = Table(new ModelEntry("ollama/*", "ollama", null), new ModelEntry("gpt-4o", "openai", null));

        Assert.Null(table.Resolve("claude-3-opus"));
        Assert.Null(table.Resolve("GPT-4o"));
    }
}
