using Router.Actors.Routing;
using Router.Contracts.Configuration;

namespace Router.Actors.Tests.Routing;

public sealed class RouteTableBuildTests
{
    [Fact]
    public void Entries_of_unusable_providers_are_left_out()
    {
        var table = RouteTable.Build(
            [
                new ModelEntry("ollama/*", "ollama", null),
                new ModelEntry("gpt-4o", "openai", null),
                new ModelEntry("*", "openrouter", null),
            ],
            new HashSet<string> { "ollama" });

        Assert.Equal(["ollama"], table.Deployments.Select(d => d.ProviderName));
        Assert.Null(table.Resolve("gpt-4o"));
        Assert.Null(table.Resolve("mistral-large"));
        Assert.Equal(["ollama/*"], table.Groups.Select(g => g.ModelName));
    }

    [Theory]
    [InlineData("a*b")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("*/x")]
    public void An_invalid_name_throws_ArgumentException(string name) =>
        Assert.Throws<ArgumentException>(() =>
            RouteTable.Build([new ModelEntry(name, "ollama", null)], new HashSet<string> { "ollama" }));

    [Fact]
    public void An_invalid_name_throws_even_when_its_provider_is_unusable() =>
        Assert.Throws<ArgumentException>(() =>
            RouteTable.Build([new ModelEntry("a*b", "openai", null)], new HashSet<string>()));

    [Fact]
    public void Duplicate_names_get_distinct_deployment_ids()
    {
        var table = RouteTable.Build(
            [
                new ModelEntry("gpt-4o", "openai", null),
                new ModelEntry("gpt-4o", "openai", "gpt-4o-2024-08-06"),
                new ModelEntry("gpt-4o", "openai", "gpt-4o-2024-11-20"),
                new ModelEntry("gpt-4o", "openrouter", "openai/gpt-4o"),
            ],
            new HashSet<string> { "openai", "openrouter" });

        var ids = table.Deployments.Select(d => d.Id).ToList();
        Assert.Equal(4, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_first_of_duplicate_exact_names_serves_the_name()
    {
        var table = RouteTable.Build(
            [new ModelEntry("fast", "ollama", "llama3"), new ModelEntry("fast", "ollama", "qwen2.5")],
            new HashSet<string> { "ollama" });

        Assert.Equal("llama3", table.Resolve("fast")?.UpstreamModel);
    }

    [Fact]
    public void A_deployment_id_names_its_provider_and_model_name()
    {
        var table = RouteTable.Build([new ModelEntry("ollama/*", "ollama", null)], new HashSet<string> { "ollama" });

        var id = Assert.Single(table.Deployments).Id;
        Assert.Contains("ollama/*", id, StringComparison.Ordinal);
        Assert.StartsWith("ollama", id, StringComparison.Ordinal);
    }
}
