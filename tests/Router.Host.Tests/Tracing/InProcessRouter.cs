using System.Net.Http.Headers;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Router.Contracts.Configuration;
using Router.Host.Configuration;
using Router.Host.Hosting;

namespace Router.Host.Tests.Tracing;

/// <summary>
/// The router as <see cref="RouterServer"/> builds it, served in this process on a free loopback port, so a
/// test can listen to the spans it makes. <paramref name="routerBlock"/> is the body of a <c>router { }</c>
/// file layered over the shipped defaults.
/// </summary>
public sealed class InProcessRouter : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataDir;

    private InProcessRouter(WebApplication app, string dataDir, string baseUrl)
    {
        _app = app;
        _dataDir = dataDir;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public static async Task<InProcessRouter> StartAsync(string routerBlock)
    {
        var dataDir = Directory.CreateTempSubdirectory("router-tracing-").FullName;
        var file = Path.Combine(dataDir, "test.conf");
        await File.WriteAllTextAsync(file, $"router {{\n  data-dir = {HoconQuoting.Quote(dataDir)}\n{routerBlock}\n}}\n");
        var settings = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(file), "http://127.0.0.1:0");
        var app = RouterServer.Build(settings);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var router = new InProcessRouter(app, dataDir, address);
        await router.WaitUntilReadyAsync();
        return router;
    }

    public HttpClient CreateClient(string? bearer)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync("/health/readiness");
            if (response.StatusCode == HttpStatusCode.OK) return;
            await Task.Delay(50);
        }
        throw new TimeoutException("the in-process router did not become ready");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp directory
        }
    }
}
