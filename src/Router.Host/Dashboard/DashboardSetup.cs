using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Features;
using MudBlazor.Services;
using Router.Contracts.Configuration;

namespace Router.Host.Dashboard;

/// <summary>
/// The dashboard at <c>/ui</c>: Razor components rendered on the server (static SSR: plain HTML pages, plain
/// form posts, no circuit and no script of ours), MudBlazor for layout and charts. Its CSS ships inside the
/// MudBlazor package as a static web asset. Nothing here runs on a proxied request: the pages are endpoints of
/// their own, and the only middleware (static files, antiforgery for the login form) is limited to <c>/ui</c> and
/// <c>/_content</c>.
/// </summary>
public static class DashboardSetup
{
    /// <summary>
    /// Where <c>dotnet publish</c> puts the package assets: beside router.dll, whatever the working directory is
    /// (the host can only be told this when it is created).
    /// </summary>
    public static string WebRoot => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>Where Razor class libraries' assets are served: MudBlazor's stylesheet is <c>/_content/MudBlazor/MudBlazor.min.css</c>.</summary>
    private const string AssetsPath = "/_content";

    public static void AddDashboard(this WebApplicationBuilder builder, RouterSettings settings)
    {
        // Running from build output (dotnet run, the tests) the assets stay in the NuGet cache, found through the
        // build's manifest; the host only reads it by itself in Development. Without the manifest (published) it does nothing.
        builder.WebHost.UseStaticWebAssets();

        var services = builder.Services;
        services.AddRazorComponents();
        services.AddMudServices();
        // Kept in the data dir so a restart does not sign everyone out (nor void a login form being filled in).
        services.AddDataProtection()
            .SetApplicationName("router")
            .PersistKeysToFileSystem(PrivateDirectory(Path.Combine(settings.DataDir, "ui-keys")));
        // Data protection reads (on a first start: makes) its key ring in a hosted service at start-up; the router
        // only needs it when a dashboard page is asked for, so it is left to load then. (By name: the type is internal;
        // should it be renamed, the ring is simply loaded at start-up again.)
        var eagerKeyRing = services.FirstOrDefault(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService");
        if (eagerKeyRing is not null) services.Remove(eagerKeyRing);
        services.AddSingleton<DashboardSession>();
        services.AddSingleton<ModelsView>();
        // The key files sit in a private directory of the data dir, next to master.key; a warning at every new key is noise.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
    }

    /// <summary>The key files are unencrypted at rest, so only the router's user may read them (like master.key).</summary>
    private static DirectoryInfo PrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) return Directory.CreateDirectory(path);
        var directory = Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return directory;
    }

    /// <summary>
    /// The largest form the dashboard takes: its sign-in (a key, the antiforgery token, a return path) fits many
    /// times over. The sign-in is the one body an unknown caller may have read, so it must not be 8 MiB.
    /// </summary>
    public const long MaxFormBytes = 16 * 1024;

    /// <summary>
    /// Caps a dashboard post's body before the antiforgery check reads the form, so a caller without a session
    /// cannot make the router read and hold a large one: a longer body is refused with 413 on its first read.
    /// </summary>
    private static Task LimitFormBodies(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxFormBytes;
        return next(context);
    }

    public static void MapDashboard(this WebApplication app)
    {
        // Plain static files rather than MapStaticAssets: its endpoints turn the API's 405 for a wrong method into a 404.
        // Only requests under /ui and /_content enter this branch; a proxied request costs one path comparison.
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(DashboardSession.CookiePath) || context.Request.Path.StartsWithSegments(AssetsPath),
            ui =>
            {
                ui.UseStaticFiles();
                ui.Use(LimitFormBodies);
                ui.UseAntiforgery();
            });
        app.MapRazorComponents<App>();
        app.MapPost("/ui/logout", (HttpContext context) =>
        {
            DashboardSession.SignOut(context);
            return Results.Redirect("/ui/login");
        });
    }
}
