using System.Globalization;
using Router.Host.Http;

namespace Router.Host.Caching;

/// <summary>
/// A request's say over the cache: <c>Cache-Control: no-cache</c> skips the lookup but stores the
/// fresh answer; <c>no-store</c> neither reads nor writes; <c>x-router-cache-ttl</c> (seconds) sets how
/// long its answer is kept; <c>x-router-cache-namespace</c> keeps its entries apart from others' (a namespace is the
/// caller's key's own unless the operator shared it: see <see cref="CacheOwner"/>). The body's <c>cache</c> object
/// (<see cref="CacheControls"/>, LiteLLM's) says the same in JSON: a control it gives wins over its header, and either
/// may turn the lookup or the store off. Only the body has <paramref name="MaxAge"/> (<c>s-maxage</c>): an older entry is a miss.
/// </summary>
public sealed record CacheDirectives(bool Lookup, bool Store, TimeSpan? Ttl, string Namespace, TimeSpan? MaxAge = null)
{
    public static CacheDirectives From(IHeaderDictionary headers, CacheControls? body = null)
    {
        var directives = FromHeaders(headers);
        if (body is null) return directives;
        return new CacheDirectives(
            directives.Lookup && !body.NoCache && !body.NoStore, directives.Store && !body.NoStore,
            body.Ttl ?? directives.Ttl, body.Namespace ?? directives.Namespace, body.MaxAge);
    }

    private static CacheDirectives FromHeaders(IHeaderDictionary headers)
    {
        var control = headers.CacheControl.ToString();
        var noStore = control.Contains("no-store", StringComparison.OrdinalIgnoreCase);
        var noCache = noStore || control.Contains("no-cache", StringComparison.OrdinalIgnoreCase);

        TimeSpan? ttl = null;
        if (headers["x-router-cache-ttl"].ToString() is { Length: > 0 } ttlText)
        {
            if (!int.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
                throw RouterError.InvalidRequest("x-router-cache-ttl must be a positive whole number of seconds.", "x-router-cache-ttl",
                    "invalid_cache_ttl");
            ttl = TimeSpan.FromSeconds(seconds);
        }

        var ns = headers["x-router-cache-namespace"].ToString();
        if (ns.Length == 0) ns = CacheNamespace.Default;
        else if (!CacheNamespace.IsValid(ns))
            throw RouterError.InvalidRequest($"x-router-cache-namespace must be {CacheNamespace.Rule}.", "x-router-cache-namespace",
                "invalid_cache_namespace");

        return new CacheDirectives(!noCache, !noStore, ttl, ns);
    }
}
