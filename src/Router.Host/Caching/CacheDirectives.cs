using System.Globalization;
using Router.Host.Http;

namespace Router.Host.Caching;

/// <summary>
/// A request's say over the cache: <c>Cache-Control: no-cache</c> skips the lookup but stores the
/// fresh answer; <c>no-store</c> neither reads nor writes; <c>x-router-cache-ttl</c> (seconds) sets how
/// long its answer is kept; <c>x-router-cache-namespace</c> keeps its entries apart from others'.
/// </summary>
public sealed record CacheDirectives(bool Lookup, bool Store, TimeSpan? Ttl, string Namespace)
{
    public const string DefaultNamespace = "default";
    private const int MaxNamespaceLength = 64;

    public static CacheDirectives From(IHeaderDictionary headers)
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
        if (ns.Length == 0) ns = DefaultNamespace;
        else if (ns.Length > MaxNamespaceLength || !ns.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw RouterError.InvalidRequest(
                $"x-router-cache-namespace must be at most {MaxNamespaceLength} letters, digits, '-', '_' or '.'.", "x-router-cache-namespace",
                "invalid_cache_namespace");

        return new CacheDirectives(!noCache, !noStore, ttl, ns);
    }
}
