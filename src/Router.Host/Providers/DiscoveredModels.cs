using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Router.Host.Providers;

/// <summary>
/// The models each provider listed the last time it was asked (<see cref="ModelListRefresh"/>), by their
/// upstream names: the names behind its wildcard routes. A provider that did not answer has no entry, so
/// its models are hidden until it does.
/// </summary>
public sealed class DiscoveredModels
{
    private readonly ConcurrentDictionary<string, ImmutableArray<string>> _byProvider = new(StringComparer.Ordinal);

    // Kept in ordinal order, so Contains (asked on every request the metrics label) is a binary search.
    public void Set(string provider, ImmutableArray<string> models) => _byProvider[provider] = models.Sort(StringComparer.Ordinal);

    /// <summary>Forgets a provider's list: it failed to answer, or nothing routes to it by a pattern any more.</summary>
    public void Hide(string provider) => _byProvider.TryRemove(provider, out _);

    /// <summary>The upstream names <paramref name="provider"/> listed, empty while it has not.</summary>
    public ImmutableArray<string> Of(string provider) => _byProvider.GetValueOrDefault(provider, []);

    /// <summary>Whether <paramref name="id"/> (<c>provider/name</c>) is a model its provider listed.</summary>
    public bool Contains(string id)
    {
        var slash = id.IndexOf('/');
        return slash > 0 && _byProvider.TryGetValue(id[..slash], out var models) && models.BinarySearch(id[(slash + 1)..], StringComparer.Ordinal) >= 0;
    }
}
