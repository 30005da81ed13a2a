namespace Router.Actors.Routing;

/// <summary>
/// One way to serve a model: a route entry bound to a provider. Its id names its circuit breaker and
/// appears in error bodies and response headers.
/// </summary>
public sealed record Deployment(string Id, string ModelName, string ProviderName, string? UpstreamModel)
{
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
}

public sealed record RouteMatch(Deployment Deployment, string UpstreamModel);
