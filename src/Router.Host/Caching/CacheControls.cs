using System.Text.Json;
using Router.Host.Http;

namespace Router.Host.Caching;

/// <summary>
/// LiteLLM's per-request cache controls, the body's <c>cache</c> object: <c>{"no-cache": true, "no-store": true,
/// "ttl": 300, "s-maxage": 60, "namespace": "team-a"}</c>. Each means what the router's headers mean (see
/// <see cref="CacheDirectives"/>): <c>no-cache</c> skips the lookup and stores the fresh answer, <c>no-store</c> neither
/// reads nor writes, <c>ttl</c> keeps the answer that long, <c>namespace</c> keeps the entries apart; <c>s-maxage</c>
/// (seconds) accepts only an entry at most that old. Anything else in the object is refused with a 400 naming
/// <c>cache</c>: a control the router ignored would be a silent surprise.
/// </summary>
public sealed record CacheControls(bool NoCache, bool NoStore, TimeSpan? Ttl, TimeSpan? MaxAge, string? Namespace)
{
    public const string Field = "cache";

    /// <summary>The controls of a <c>cache</c> field; null when it is JSON null.</summary>
    /// <exception cref="RouterError">A 400 with <c>param</c> = <c>cache</c> for anything but the controls above.</exception>
    public static CacheControls? Parse(JsonElement cache)
    {
        if (cache.ValueKind == JsonValueKind.Null) return null;
        if (cache.ValueKind != JsonValueKind.Object)
            throw Invalid("'cache' must be an object such as {\"no-cache\": true, \"ttl\": 300, \"namespace\": \"team-a\"}.");
        var controls = new CacheControls(false, false, null, null, null);
        foreach (var control in cache.EnumerateObject())
            controls = control.Name switch
            {
                "no-cache" => controls with { NoCache = Flag(control) },
                "no-store" => controls with { NoStore = Flag(control) },
                "ttl" => controls with { Ttl = Seconds(control, minimum: 1) },
                "s-maxage" => controls with { MaxAge = Seconds(control, minimum: 0) },
                "namespace" => controls with { Namespace = NamespaceOf(control) },
                _ => throw Invalid($"'cache' has no control '{Shown(control.Name)}'; the router knows no-cache, no-store, ttl, s-maxage and namespace."),
            };
        return controls;
    }

    private static bool Flag(JsonProperty control) => control.Value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Invalid($"'cache.{control.Name}' must be true or false."),
    };

    // Whole seconds, as the headers take them; the cache keeps nothing for longer than router.cache.max-ttl anyway.
    private static TimeSpan Seconds(JsonProperty control, int minimum) =>
        control.Value.ValueKind == JsonValueKind.Number && control.Value.TryGetInt32(out var seconds) && seconds >= minimum
            ? TimeSpan.FromSeconds(seconds)
            : throw Invalid($"'cache.{control.Name}' must be a whole number of seconds, at least {minimum}.");

    private static string NamespaceOf(JsonProperty control) =>
        control.Value.ValueKind == JsonValueKind.String && control.Value.GetString() is { } name && CacheNamespace.IsValid(name)
            ? name
            : throw Invalid($"'cache.namespace' must be {CacheNamespace.Rule}.");

    // A caller's key name echoed in an error: cut, so that a huge one does not come back whole.
    private static string Shown(string name) => name.Length <= 64 ? name : name[..64] + "…";

    private static RouterError Invalid(string message) => RouterError.InvalidRequest(message, Field, "invalid_cache");
}
