namespace Router.Host.Caching;

/// <summary>
/// What a cache namespace may be called, whether a caller names it (<c>x-router-cache-namespace</c>) or the
/// operator shares it (<c>router.cache.shared-namespaces</c>): at most 64 ASCII letters, digits, '-', '_' or '.'.
/// </summary>
public static class CacheNamespace
{
    public const string Default = "default";
    public const int MaxLength = 64;

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= MaxLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static string Rule => $"at most {MaxLength} letters, digits, '-', '_' or '.'";
}
