using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Router.Host.Providers;

/// <summary>The models each discovering provider reported last time it answered; empty while it does not.</summary>
public sealed class DiscoveredModels
{
    private readonly ConcurrentDictionary<string, ImmutableArray<string>> _byProvider = new(StringComparer.Ordinal);

    public void Set(string provider, ImmutableArray<string> models) => _byProvider[provider] = models;

    /// <summary>Whether <paramref name="id"/> (<c>provider/name</c>) is a model its provider reported.</summary>
    public bool Contains(string id)
    {
        var slash = id.IndexOf('/');
        return slash > 0 && _byProvider.TryGetValue(id[..slash], out var models) && models.Contains(id[(slash + 1)..]);
    }

    /// <summary>Every discovered model as the id a client uses: <c>provider/name</c>.</summary>
    public IEnumerable<(string Provider, string Id)> All() =>
        _byProvider.SelectMany(pair => pair.Value.Select(name => (pair.Key, $"{pair.Key}/{name}")));
}
