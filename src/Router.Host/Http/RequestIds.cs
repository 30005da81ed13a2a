namespace Router.Host.Http;

/// <summary>
/// Every response carries <c>x-request-id</c>: the caller's own when it sent a sane one (so its logs
/// and ours join up), otherwise a fresh one.
/// </summary>
public static class RequestIds
{
    public const string Header = "x-request-id";

    public static string Assign(HttpContext context)
    {
        var offered = context.Request.Headers[Header].ToString();
        var id = IsSane(offered) ? offered : "req_" + Guid.NewGuid().ToString("N");
        context.Response.Headers[Header] = id;
        return id;
    }

    private static bool IsSane(string id) =>
        id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
