using Router.Contracts.Configuration;

namespace Router.Actors.Routing;

/// <summary>
/// Model name → deployment. Immutable: built once from configuration and swapped whole on reload, so
/// the request path reads it without locks. Exact names win over patterns; among patterns the longest
/// prefix wins, which makes <c>*</c> the catch-all.
/// </summary>
public sealed class RouteTable
{
    private readonly Dictionary<string, Deployment> _exact;
    private readonly Deployment[] _patternsLongestFirst;

    private RouteTable(IReadOnlyList<Deployment> deployments)
    {
        Deployments = deployments;
        _exact = new Dictionary<string, Deployment>(StringComparer.Ordinal);
        foreach (var d in deployments.Where(d => !d.IsPattern))
            _exact.TryAdd(d.ModelName, d);
        _patternsLongestFirst = deployments.Where(d => d.IsPattern)
            .OrderByDescending(d => d.ModelName.Length)
            .ToArray();
    }

    public IReadOnlyList<Deployment> Deployments { get; }

    /// <summary>The concrete names a client can list; patterns are routable but cannot be enumerated.</summary>
    public IEnumerable<string> ExactModelNames => _exact.Keys;

    /// <summary>
    /// Builds the table from <c>router.models</c>, leaving out entries whose provider is not usable
    /// (typically: its key is missing). Throws <see cref="ArgumentException"/> on an invalid entry.
    /// </summary>
    public static RouteTable Build(IEnumerable<ModelEntry> entries, IReadOnlySet<string> usableProviders)
    {
        var deployments = new List<Deployment>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (ModelPattern.Validate(entry.Name) is { } problem) throw new ArgumentException(problem);
            if (!usableProviders.Contains(entry.Provider)) continue;
            var id = $"{entry.Provider}:{entry.Name}";
            for (var n = 2; !ids.Add(id); n++) id = $"{entry.Provider}:{entry.Name}#{n}";
            deployments.Add(new Deployment(id, entry.Name, entry.Provider, entry.Model));
        }
        return new RouteTable(deployments);
    }

    public RouteMatch? Resolve(string model)
    {
        if (_exact.TryGetValue(model, out var exact)) return new RouteMatch(exact, exact.UpstreamModelFor(model));
        foreach (var pattern in _patternsLongestFirst)
        {
            // 'ollama/' alone names no model: a pattern must capture something.
            if (model.Length > pattern.ModelName.Length - 1 && ModelPattern.Matches(pattern.ModelName, model))
                return new RouteMatch(pattern, pattern.UpstreamModelFor(model));
        }
        return null;
    }
}
