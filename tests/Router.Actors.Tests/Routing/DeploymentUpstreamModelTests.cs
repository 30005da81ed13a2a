using Router.Actors.Routing;

namespace Router.Actors.Tests.Routing;

public sealed class DeploymentUpstreamModelTests
{
    [Theory]
    [InlineData("gpt-4o", null, "gpt-4o", "gpt-4o")]
    [InlineData("fast", "llama3", "fast", "llama3")]
    [InlineData("ollama/*", null, "ollama/llama3", "llama3")]
    [InlineData("gpt-*", null, "gpt-4o", "gpt-4o")]
    [InlineData("*", null, "mistral-large", "mistral-large")]
    [InlineData("local/*", "library/*", "local/qwen2.5", "library/qwen2.5")]
    [InlineData("o1*", "o1*", "o1-mini", "o1-mini")]
    [InlineData("cheap-*", "llama3", "cheap-x", "llama3")]
    public void Upstream_model_follows_the_entry_kind(string name, string? model, string requested, string expected)
    {
        var deployment = new Deployment("p:" + name, name, "p", model);

        Assert.Equal(expected, deployment.UpstreamModelFor(requested));
    }

    [Theory]
    [InlineData("ollama/*", true)]
    [InlineData("*", true)]
    [InlineData("gpt-4o", false)]
    public void IsPattern_is_true_only_for_a_trailing_star(string name, bool expected) =>
        Assert.Equal(expected, new Deployment("id", name, "p", null).IsPattern);
}
