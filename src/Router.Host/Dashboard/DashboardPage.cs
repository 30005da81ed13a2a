using Microsoft.AspNetCore.Components;

namespace Router.Host.Dashboard;

/// <summary>
/// A page that needs a session: without one it redirects to the login form (and loads nothing). Pages read
/// what they show in <see cref="Load"/>, once per request; static rendering has no later renders.
/// </summary>
public abstract class DashboardPage : ComponentBase
{
    [CascadingParameter] public HttpContext HttpContext { get; set; } = null!;
    [Inject] public DashboardSession Session { get; set; } = null!;
    [Inject] public NavigationManager Navigation { get; set; } = null!;

    protected bool SignedIn { get; private set; }

    protected override void OnInitialized()
    {
        if (!Session.IsSignedIn(HttpContext))
        {
            var here = HttpContext.Request.Path + HttpContext.Request.QueryString;
            Navigation.NavigateTo("/ui/login?return=" + Uri.EscapeDataString(here));
            return;
        }
        SignedIn = true;
        Load();
    }

    protected abstract void Load();
}
