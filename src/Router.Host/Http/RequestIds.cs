using System.Security.Cryptography;

namespace Router.Host.Http;

/// <summary>
/// Every response carries <c>x-request-id</c>: the caller's own when it sent a sane one (so its logs
/// and ours join up), otherwise a fresh one.
/// </summary>
public static class RequestIds
{
    public const string Header = "x-request-id";

    // A random prefix per process and a counter: unique across nodes and restarts without asking the
    // kernel for randomness on every request, as a fresh Guid would.
    private static readonly string Prefix = "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private static long _next;

    public static string Assign(HttpContext context)
    {
        var offered = context.Request.Headers[Header].ToString();
        var id = offered.Length > 0 && IsSane(offered) ? offered : Fresh();
        context.Response.Headers[Header] = id;
        return id;
    }

    /// <summary>
    /// The id a key's budget actor knows the request by. It counts each id once (a settlement may be
    /// sent again), so the caller's own id, which it may send with more than one request, is not used
    /// there: a fresh one is, made only when the caller sent one.
    /// </summary>
    public static string ForKeyBudget(HttpContext context, string requestId) =>
        context.Request.Headers.ContainsKey(Header) ? Fresh() : requestId;

    public static string Fresh() => string.Create(null, stackalloc char[40], $"{Prefix}{Interlocked.Increment(ref _next):x12}");

    private static bool IsSane(string id)
    {
        if (id.Length > 128) return false;
        foreach (var c in id)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')) return false;
        return true;
    }
}
