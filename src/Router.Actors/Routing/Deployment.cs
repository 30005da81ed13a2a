using Router.Contracts.Configuration;

namespace Router.Actors.Routing;

/// <summary>
/// One way to serve a model: a route entry bound to a provider. Its id names its circuit breaker and
/// appears in error bodies and response headers.
/// </summary>
public sealed record Deployment(string Id, string ModelName, string ProviderName, string? UpstreamModel)
{
    /// <summary>Its share of the model's requests under weighted round-robin.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Its own timeouts; null: its provider's.</summary>
    public ProviderTimeouts? Timeouts { get; init; }

    /// <summary>The largest prompt it takes, when configured.</summary>
    public int? MaxInputTokens { get; init; }

    public bool IsPattern => ModelPattern.IsPattern(ModelName);

    /// <summary>
    /// The name to send upstream for a requested model. An explicit <c>model</c> wins (its <c>*</c> takes
    /// what the request's name matched); a namespace pattern such as <c>ollama/*</c> strips its prefix;
    /// any other pattern (<c>gpt-*</c>, <c>*</c>) sends the requested name unchanged.
    /// </summary>
    public string UpstreamModelFor(string requested)
    {
        if (!IsPattern) return UpstreamModel ?? requested;
        var prefix = ModelPattern.Prefix(ModelName);
        var captured = requested[prefix.Length..];
        if (UpstreamModel is not null)
            return ModelPattern.IsPattern(UpstreamModel) ? ModelPattern.Prefix(UpstreamModel) + captured : UpstreamModel;
        return prefix.EndsWith('/') ? captured : requested;
    }

    /// <summary>
    /// The inverse of <see cref="UpstreamModelFor"/>: the name a client sends for this pattern deployment to call
    /// <paramref name="upstreamModel"/> (<c>ollama/*</c> and <c>llama3.2</c> → <c>ollama/llama3.2</c>; <c>gpt-*</c> and
    /// <c>gpt-4o</c> → <c>gpt-4o</c>). Null when no name does: an exact deployment, a pattern whose <c>model</c> sends
    /// every name to one model, or an upstream name outside what the pattern can produce.
    /// </summary>
    public string? RequestedModelFor(string upstreamModel)
    {
        if (!IsPattern) return null;
        var prefix = ModelPattern.Prefix(ModelName);
        string requested;
        if (UpstreamModel is not null)
        {
            if (!ModelPattern.IsPattern(UpstreamModel)) return null;
            var upstreamPrefix = ModelPattern.Prefix(UpstreamModel);
            if (!upstreamModel.StartsWith(upstreamPrefix, StringComparison.Ordinal)) return null;
            requested = prefix + upstreamModel[upstreamPrefix.Length..];
        }
        else if (prefix.EndsWith('/')) requested = prefix + upstreamModel;
        else if (upstreamModel.StartsWith(prefix, StringComparison.Ordinal)) requested = upstreamModel;
        else return null;
        // A pattern must capture something ('ollama/' names no model), and the name must come back to the same model.
        return requested.Length > prefix.Length && UpstreamModelFor(requested) == upstreamModel ? requested : null;
    }
}

/// <summary>Every deployment of one model name, in configuration order, and the model's routing policy.</summary>
public sealed record DeploymentGroup(string ModelName, IReadOnlyList<Deployment> Deployments, RoutingPolicy Policy);

/// <summary>The deployments that may serve a requested model name.</summary>
public sealed record RouteMatch(DeploymentGroup Group, string RequestedModel)
{
    /// <summary>The group's first deployment (the only one, for most models).</summary>
    public Deployment Deployment => Group.Deployments[0];

    /// <summary>The name the first deployment's provider knows the model by.</summary>
    public string UpstreamModel => Deployment.UpstreamModelFor(RequestedModel);

    public string UpstreamModelFor(Deployment deployment) => deployment.UpstreamModelFor(RequestedModel);

    /// <summary>
    /// The circuit this request uses on a deployment. A pattern deployment (<c>gpt-*</c>, <c>ollama/*</c>)
    /// serves many models, and one model's rate limit or outage must not stop the others: each model
    /// behind a pattern has its own circuit, <c>deployment-id&gt;upstream-model</c>.
    /// </summary>
    public string CircuitOf(Deployment deployment) =>
        deployment.IsPattern ? $"{deployment.Id}>{UpstreamModelFor(deployment)}" : deployment.Id;
}
