using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// Debian's chromium, headless, driven by Playwright, for the dashboard's tests: one browser and one context at a
/// given window size. A missing browser fails the test: a dashboard test that quietly skips proves nothing.
/// </summary>
public sealed class DashboardBrowser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>
    /// The browser tests' collection: one chromium at a time. Three at once, beside the rest of the suite on two
    /// cores, stretched a page load past Playwright's 30 s.
    /// </summary>
    public const string Collection = "browser";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    public IBrowserContext Context { get; }

    private DashboardBrowser(IPlaywright playwright, IBrowser browser, IBrowserContext context)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
    }

    public static async Task<DashboardBrowser> OpenAsync(int width)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (.ci/run does)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"], // CI runs as root
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        return new DashboardBrowser(playwright, browser, context);
    }

    /// <summary>
    /// Kept with the test output as <paramref name="name"/>; also written to docs/ when ROUTER_UPDATE_SCREENSHOT=1, so an
    /// ordinary test run leaves the working tree as it was.
    /// </summary>
    public static async Task SaveScreenshotAsync(IPage page, string name, CancellationToken ct)
    {
        var shot = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, name), shot, ct);
        if (Environment.GetEnvironmentVariable("ROUTER_UPDATE_SCREENSHOT") != "1") return;
        var docs = Path.Combine(RouterProcess.RepositoryRoot(), "docs");
        Directory.CreateDirectory(docs);
        await File.WriteAllBytesAsync(Path.Combine(docs, name), shot, ct);
    }

    /// <summary>
    /// Waits until the page's address ends with <paramref name="pathAndQuery"/> and its document has loaded. Not
    /// Playwright's <c>WaitForURLAsync</c>: once the address matches, that waits for the load event as Playwright's client
    /// heard of it, and in CI it once waited out its 30 s with the page there and the network idle (a known intermittent
    /// timeout, playwright-dotnet#2897). The document is asked for its own state instead.
    /// </summary>
    public static async Task ArrivedAtAsync(IPage page, string pathAndQuery)
    {
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(pathAndQuery) + "$"), new() { Timeout = 30_000 });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await page.EvaluateAsync<string>("document.readyState") != "complete")
        {
            Assert.True(DateTime.UtcNow < deadline, $"{page.Url} did not finish loading in 30 s");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the log writer's batch, then returns every row of <c>/spend/logs</c> (asserting exactly <paramref name="count"/>).</summary>
    public static async Task<JsonArray> LogsAsync(HttpClient admin, int count, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var page = (await admin.GetFromJsonAsync<JsonObject>("/spend/logs?size=1000", ct))!;
            if (page["total"]!.GetValue<long>() >= count || DateTime.UtcNow > deadline)
            {
                Assert.Equal(count, page["total"]!.GetValue<long>());
                return page["data"]!.AsArray();
            }
            await Task.Delay(100, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

[CollectionDefinition(DashboardBrowser.Collection)]
public sealed class DashboardBrowserCollection;
