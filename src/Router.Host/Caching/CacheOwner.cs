using Router.Contracts.Configuration;
using Router.Host.Auth;

namespace Router.Host.Caching;

/// <summary>
/// Whose cache entries a request reads and writes. A namespace is each key's own: two keys sending the same
/// request in the same namespace have two entries, so an answer (which may repeat a prompt's secrets) never
/// reaches a key that did not ask for it, and a key's <c>no-cache</c> refreshes only its own entry. The master
/// key is a key like the others here. A namespace the operator lists in <c>router.cache.shared-namespaces</c>
/// is one entry for every key that names it: sharing is the operator's decision, never a caller's.
/// </summary>
public static class CacheOwner
{
    /// <summary>The id of the key that owns the request's entries; null when its namespace is shared.</summary>
    public static string? Of(AuthenticatedKey key, string @namespace, CacheSettings settings) =>
        settings.SharedNamespaces.Contains(@namespace) ? null : key.KeyId;
}
