using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// A small Kestrel app on a free 127.0.0.1 port, for the receivers tests stand up in the router's place (webhooks,
/// an OTLP collector): <paramref name="map"/> adds its routes; the app is started and its root address returned.
/// </summary>
public static class LoopbackApp
{
    public static async Task<(WebApplication App, string Root)> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }
}
