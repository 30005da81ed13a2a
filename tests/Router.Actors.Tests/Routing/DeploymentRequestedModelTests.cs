using Router.Actors.Routing;

namespace Router.Actors.Tests.Routing;

/// <summary>
/// <see cref="Deployment.RequestedModelFor"/> is the inverse of <see cref="Deployment.UpstreamModelFor"/>: the name
/// a client sends to reach a model its provider listed, so <c>/v1/models</c> shows names that route back to it.
/// </summary>
public sealed class DeploymentRequestedModelTests
{
    [Theory]
    [InlineData("ollama/*", null, "llama3.2:3b", "ollama/llama3.2:3b")]
    [InlineData("openrouter/*", null, "meta-llama/llama-3.3-70b", "openrouter/meta-llama/llama-3.3-70b")]
    [InlineData("gpt-*", null, "gpt-4o", "gpt-4o")]
    [InlineData("*", null, "meta-llama/llama-3.3-70b", "meta-llama/llama-3.3-70b")]
    [InlineData("local/*", "library/*", "library/qwen2.5", "local/qwen2.5")]
    [InlineData("o1*", "o1*", "o1-mini", "o1-mini")]
    public void A_listed_model_is_shown_as_the_route_names_it(string pattern, string? model, string upstream, string expected)
    {
        var deployment = new Deployment("p:" + pattern, pattern, "p", model);

        var requested = deployment.RequestedModelFor(upstream);

        Assert.Equal(expected, requested);
        Assert.Equal(upstream, deployment.UpstreamModelFor(requested!));
    }

    [Theory]
    [InlineData("gpt-*", null, "dall-e-3")]           // the pattern cannot produce a name the provider calls dall-e-3
    [InlineData("gpt-*", null, "gpt-")]               // the pattern must capture something
    [InlineData("local/*", "library/*", "other/qwen2.5")]
    [InlineData("cheap-*", "llama3", "llama3")]       // every name goes to one model: none is that model's own
    [InlineData("gpt-4o", null, "gpt-4o")]            // an exact route is listed as it is, not through its provider's list
    public void A_model_no_name_reaches_through_the_deployment_has_no_name(string name, string? model, string upstream)
    {
        Assert.Null(new Deployment("p:" + name, name, "p", model).RequestedModelFor(upstream));
    }
}
