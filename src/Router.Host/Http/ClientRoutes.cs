namespace Router.Host.Http;

/// <summary>
/// Maps a client API path under <c>/v1</c> and, as LiteLLM does, without it: clients configured with a
/// base URL of <c>http://router:4000</c> call <c>/chat/completions</c>, those with <c>…/v1</c> call
/// <c>/v1/chat/completions</c>, and both must reach the same handler. Every client route is mapped
/// through here (one line each), so no path answers under one prefix only.
/// </summary>
public static class ClientRoutes
{
    private const string VersionPrefix = "/v1";

    /// <summary><c>POST</c> <paramref name="path"/> (written with its <c>/v1</c>) and the same path without it.</summary>
    public static void MapClientPost(this IEndpointRouteBuilder app, string path, RequestDelegate handler)
    {
        foreach (var pattern in Both(path)) app.MapPost(pattern, handler);
    }

    /// <summary>As <see cref="MapClientPost(IEndpointRouteBuilder, string, RequestDelegate)"/>, for a handler that answers every error itself.</summary>
    public static void MapProxyPost(this IEndpointRouteBuilder app, string path, RequestDelegate handler)
    {
        foreach (var pattern in Both(path)) app.MapPost(pattern, handler).WithMetadata(AnswersEveryError.Instance);
    }

    /// <summary><c>GET</c> <paramref name="path"/> (written with its <c>/v1</c>) and the same path without it.</summary>
    public static void MapClientGet(this IEndpointRouteBuilder app, string path, RequestDelegate handler)
    {
        foreach (var pattern in Both(path)) app.MapGet(pattern, handler);
    }

    /// <summary>As the other overload, for a handler whose parameters ASP.NET binds (services, route values).</summary>
    public static void MapClientGet(this IEndpointRouteBuilder app, string path, Delegate handler)
    {
        foreach (var pattern in Both(path)) app.MapGet(pattern, handler);
    }

    /// <summary>As the other overload, for a handler whose parameters ASP.NET binds (services, route values).</summary>
    public static void MapClientPost(this IEndpointRouteBuilder app, string path, Delegate handler)
    {
        foreach (var pattern in Both(path)) app.MapPost(pattern, handler);
    }

    /// <summary><c>DELETE</c> <paramref name="path"/> (written with its <c>/v1</c>) and the same path without it.</summary>
    public static void MapClientDelete(this IEndpointRouteBuilder app, string path, Delegate handler)
    {
        foreach (var pattern in Both(path)) app.MapDelete(pattern, handler);
    }

    /// <summary>The path as written and without its version prefix; a path without one is a programming error.</summary>
    public static string[] Both(string path) =>
        path.StartsWith(VersionPrefix + "/", StringComparison.Ordinal)
            ? [path, path[VersionPrefix.Length..]]
            : throw new ArgumentException($"A client route is written with its {VersionPrefix} prefix, e.g. /v1/chat/completions; '{path}' has none.", nameof(path));
}
