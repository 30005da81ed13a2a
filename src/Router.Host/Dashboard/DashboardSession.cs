using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Router.Host.Auth;

namespace Router.Host.Dashboard;

/// <summary>
/// Who may see the dashboard: whoever signed in with the master key. Signing in sets an HttpOnly,
/// SameSite=Strict cookie holding a data-protected, time-limited token (no key in it); the protector's purpose
/// includes the master key's hash, so changing the master key signs every session out. The data-protection
/// keys live in the data dir (<c>ui-keys/</c>), so a restart keeps sessions.
/// </summary>
public sealed class DashboardSession
{
    public const string CookieName = "router_ui";
    public const string CookiePath = "/ui";
    private const string Token = "router-dashboard";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly KeyAuthenticator _authenticator;
    private readonly ITimeLimitedDataProtector _protector;

    public DashboardSession(KeyAuthenticator authenticator, IDataProtectionProvider protection)
    {
        _authenticator = authenticator;
        _protector = protection.CreateProtector("Router.Dashboard.Session.v1", authenticator.MasterPolicy.SecretHash).ToTimeLimitedDataProtector();
    }

    /// <summary>True when the request carries a valid, unexpired session cookie.</summary>
    public bool IsSignedIn(HttpContext context)
    {
        if (context.Request.Cookies[CookieName] is not { Length: > 0 } cookie) return false;
        try
        {
            return _protector.Unprotect(cookie, out _) == Token;
        }
        catch (CryptographicException)
        {
            return false; // forged, expired, or made before the master key changed
        }
    }

    /// <summary>
    /// Checks <paramref name="presented"/> the way the API checks a bearer key (hash, constant-time compare);
    /// only the master key opens a session. True when it did.
    /// </summary>
    public bool TrySignIn(HttpContext context, string? presented)
    {
        if (string.IsNullOrWhiteSpace(presented)) return false;
        if (_authenticator.Authenticate("Bearer " + presented.Trim()) is not { IsMaster: true }) return false;
        context.Response.Cookies.Append(CookieName, _protector.Protect(Token, Lifetime), Options(context, Lifetime));
        return true;
    }

    public static void SignOut(HttpContext context) => context.Response.Cookies.Delete(CookieName, Options(context, null));

    private static CookieOptions Options(HttpContext context, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = CookiePath,
        MaxAge = maxAge,
        IsEssential = true,
    };
}
