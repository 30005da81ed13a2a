using System.Net;
using System.Text.RegularExpressions;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// The dashboard's sign-in as a browser does it without one: the login form (its antiforgery token and cookie),
/// then the post with the master key. <see cref="Cookie"/> is the session; <see cref="SetCookie"/> the header that set it.
/// </summary>
public sealed record DashboardLogin(string Cookie, string SetCookie)
{
    public const string CookieName = "router_ui";

    public static async Task<DashboardLogin> SignInAsync(RouterProcess router, string masterKey, CancellationToken ct)
    {
        var cookies = new CookieContainer();
        using var http = Browser(router, cookies);
        using var post = await PostLoginAsync(http, masterKey, ct);
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        var setCookie = post.Headers.GetValues("Set-Cookie").Single(h => h.StartsWith(CookieName + "=", StringComparison.Ordinal));
        var session = cookies.GetCookies(new Uri(router.BaseUrl + "/ui"))[CookieName];
        Assert.NotNull(session);
        Assert.True(session.HttpOnly);
        return new DashboardLogin(session.Value, setCookie);
    }

    /// <summary>A sign-in with a key that is not the master key: refused (401), and the page it answers is returned.</summary>
    public static async Task<string> RefusedAsync(RouterProcess router, string wrongKey, CancellationToken ct)
    {
        using var http = Browser(router, new CookieContainer());
        using var post = await PostLoginAsync(http, wrongKey, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.False(post.Headers.Contains("Set-Cookie") && post.Headers.GetValues("Set-Cookie").Any(h => h.StartsWith(CookieName + "=", StringComparison.Ordinal)));
        return await post.Content.ReadAsStringAsync(ct);
    }

    private static HttpClient Browser(RouterProcess router, CookieContainer cookies)
    {
        var handler = router.Handler();
        handler.CookieContainer = cookies;
        handler.AllowAutoRedirect = false;
        return new HttpClient(handler) { BaseAddress = new Uri(router.BaseUrl) };
    }

    /// <summary>The login form first (its antiforgery token and cookie), then the post with <paramref name="key"/>.</summary>
    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient http, string key, CancellationToken ct)
    {
        var form = await http.GetStringAsync("/ui/login", ct);
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        return await http.PostAsync("/ui/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["Input.Key"] = key,
        }), ct);
    }

    /// <summary>A client that sends this session's cookie on every request and follows no redirect.</summary>
    public HttpClient Client(RouterProcess router)
    {
        var handler = router.Handler();
        handler.UseCookies = false;
        handler.AllowAutoRedirect = false;
        var http = new HttpClient(handler) { BaseAddress = new Uri(router.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("Cookie", $"{CookieName}={Cookie}");
        return http;
    }
}
