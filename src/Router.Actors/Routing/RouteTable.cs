using Router.Contracts.Configuration;

namespace Router.Actors.Routing;

/// <summary>
/// Model name → its deployments. Immutable: built once from configuration and swapped whole on
/// reload, so the request path reads it without locks. Exact names win over patterns; among patterns
/// the longest prefix wins, which makes <c>*</c> the catch-all. Entries sharing a name form one
/// <see cref="DeploymentGroup"/>, whose policy is the first value each entry sets, then the defaults.
/// </summary>
public sealed class RouteTable
{
    private readonly Dictionary<string, DeploymentGroup> _exact;
    private readonly DeploymentGroup[] _patternsLongestFirst;

    private RouteTable(IReadOnlyList<Deployment> deployments, IReadOnlyList<DeploymentGroup> groups)
    {
        Deployments = deployments;
        Groups = groups;
        _exact = groups.Where(g => !ModelPattern.IsPattern(g.ModelName)).ToDictionary(g => g.ModelName, StringComparer.Ordinal);
        _patternsLongestFirst = groups.Where(g => ModelPattern.IsPattern(g.ModelName))
            .OrderByDescending(g => g.ModelName.Length)
            .ToArray();
    }

    public IReadOnlyList<Deployment> Deployments { get; }

    public IReadOnlyList<DeploymentGroup> Groups { get; }

    /// <summary>
    /// Builds the table from <c>router.models</c>, leaving out entries whose provider is not usable
    /// (typically: its key is missing). Throws <see cref="ArgumentException"/> on an invalid entry.
    /// </summary>
    public static RouteTable Build(
        IEnumerable<ModelEntry> entries, IReadOnlySet<string> usableProviders, RoutingPolicy? defaultPolicy = null)
    {
        var deployments = new List<Deployment>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var policies = new Dictionary<string, RoutingPolicy>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var entry in entries)
        {
            if (ModelPattern.Validate(entry.Name) is { } problem) throw new ArgumentException(problem);
            if (entry.Weight < 1) throw new ArgumentException($"'{entry.Name}': weight must be at least 1");
            // The policy is the model's, whichever of its entries sets it, even one whose provider is off.
            policies[entry.Name] = policies.TryGetValue(entry.Name, out var known) ? known.Or(entry.Policy) : entry.Policy;
            if (!usableProviders.Contains(entry.Provider)) continue;
            var id = $"{entry.Provider}:{entry.Name}";
            for (var n = 2; !ids.Add(id); n++) id = $"{entry.Provider}:{entry.Name}#{n}";
            deployments.Add(new Deployment(id, entry.Name, entry.Provider, entry.Model)
            {
                Weight = entry.Weight, Timeouts = entry.Timeouts, MaxInputTokens = entry.MaxInputTokens,
            });
            if (!names.Contains(entry.Name)) names.Add(entry.Name);
        }
        var fallback = (defaultPolicy ?? RoutingPolicy.Standard).Or(RoutingPolicy.Standard);
        var groups = names
            .Select(name => new DeploymentGroup(name, deployments.Where(d => d.ModelName == name).ToList(), policies[name].Or(fallback)))
            .ToList();
        return new RouteTable(deployments, groups);
    }

    public RouteMatch? Resolve(string model)
    {
        // The table's own string, equal to the request's: what keeps the name (the request log's row, waiting for its
        // writer) then holds a string that lives as long as the configuration, not one more object per request.
        if (_exact.TryGetValue(model, out var exact)) return new RouteMatch(exact, exact.ModelName);
        foreach (var pattern in _patternsLongestFirst)
        {
            // 'ollama/' alone names no model: a pattern must capture something.
            if (model.Length > pattern.ModelName.Length - 1 && ModelPattern.Matches(pattern.ModelName, model))
                return new RouteMatch(pattern, model);
        }
        return null;
    }
}
