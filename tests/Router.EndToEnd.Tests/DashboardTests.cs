using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OpenAI;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The dashboard in a real browser: Debian's chromium driven by Playwright, after real traffic sent with the
/// OpenAI SDK, checked against what <c>/spend/logs</c>, <c>/spend/report</c> and <c>/health/deployments</c> say.
/// </summary>
[Collection(DashboardBrowser.Collection)]
public sealed class DashboardTests
{
    private const string MasterKey = "sk-e2e-dashboard-master-5d1c9a7e3f";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Config(MockOpenAiServer mock) => $$"""
          master-key = "{{MasterKey}}"
          request-log { batch-interval = 200ms }
          breaker { consecutive-failures-to-open = 2, cooldown = 10m, minimum-calls-in-window = 1000000 }
          # Not local, so that "down", which has no price, shows as unpriced.
          providers { mock { type = openai-compatible, api-base = "{{mock.ApiBase}}", local = false } }
          models = [
            { name = "alpha", provider = mock, model = "echo-alpha" }
            { name = "beta", provider = mock, model = "echo-beta" }
            { name = "broken", provider = mock, model = "fail-400" }
            { name = "down", provider = mock, model = "fail-500", retries = 0 }
          ]
          prices {
            "alpha"  { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 }
            "beta"   { input-cost-per-token = 0.000003, output-cost-per-token = 0.000004 }
            "broken" { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 }
          }
        """;

    [Fact]
    public async Task After_real_traffic_the_dashboard_shows_what_the_request_log_holds()
    {

        await using var mock = await MockOpenAiServer.StartAsync();
        await using var router = await RouterProcess.StartAsync(Config(mock));
        using var admin = router.CreateClient(MasterKey);
        var teamKey = await GenerateKeyAsync(admin, "team-a");

        // Traffic: two models, a repeated request (a cache hit), one from a virtual key, one provider error.
        var master = Sdk(router, MasterKey);
        await master.GetChatClient("alpha").CompleteChatAsync([new UserChatMessage("one two three")], cancellationToken: Ct);
        await master.GetChatClient("alpha").CompleteChatAsync([new UserChatMessage("one two three")], cancellationToken: Ct);
        await master.GetChatClient("alpha").CompleteChatAsync([new UserChatMessage("four five")], cancellationToken: Ct);
        await master.GetChatClient("beta").CompleteChatAsync([new UserChatMessage("six seven eight nine")], cancellationToken: Ct);
        await Sdk(router, teamKey).GetChatClient("beta").CompleteChatAsync([new UserChatMessage("ten eleven")], cancellationToken: Ct);
        // LiteLLM's tags, one request answered by mock_response.
        await master.GetChatClient("beta").CompleteChatAsync([new UserChatMessage("tagged")],
            LiteLlmFieldsFixture.Extra(("tags", """["nightly"]""")), Ct);
        await master.GetChatClient("beta").CompleteChatAsync([new UserChatMessage("canned")],
            LiteLlmFieldsFixture.Extra(("tags", """["nightly","canned"]"""), ("mock_response", "\"canned answer\"")), Ct);
        var failure = await Assert.ThrowsAsync<ClientResultException>(() =>
            master.GetChatClient("broken").CompleteChatAsync([new UserChatMessage("twelve")], cancellationToken: Ct));
        Assert.Equal(400, failure.Status);
        // Two provider failures open the circuit of "down"; the third call is refused by the router itself.
        foreach (var expected in new[] { 500, 500, 503 })
        {
            var down = await Assert.ThrowsAsync<ClientResultException>(() =>
                master.GetChatClient("down").CompleteChatAsync([new UserChatMessage("anyone there")], cancellationToken: Ct));
            Assert.Equal(expected, down.Status);
        }

        // What the request log says, through the API.
        var logs = await DashboardBrowser.LogsAsync(admin, 11, Ct);
        var report = (await admin.GetFromJsonAsync<JsonObject>("/spend/report?group_by=model", Ct))!["data"]!.AsArray();
        var requests = report.Sum(r => r!["requests"]!.GetValue<long>());
        var cost = report.Sum(r => r!["cost"]!.GetValue<decimal>());
        var errors = report.Sum(r => r!["errors"]!.GetValue<long>());
        var hits = report.Sum(r => r!["cache_hits"]!.GetValue<long>());
        Assert.Equal(11, requests);
        Assert.Equal(4, errors);
        Assert.Equal(1, hits);
        var failed = logs.Single(r => r!["status"]!.GetValue<int>() == 400)!;
        var byOrigin = logs.GroupBy(r => r!["error_origin"]?.GetValue<string>() ?? "").ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal((1, 3), (byOrigin["router"], byOrigin["provider"]));
        var health = (await admin.GetFromJsonAsync<JsonObject>("/health/deployments", Ct))!["deployments"]!.AsArray();
        Assert.Contains(health, card => card!["circuit"]!.GetValue<string>() == "open");

        await using var browser = await DashboardBrowser.OpenAsync(width: 1440);
        var context = browser.Context;
        var page = await context.NewPageAsync();
        var responses = new List<(string Url, int Status)>();
        var failedLoads = new List<string>();
        page.Response += (_, r) => { lock (responses) responses.Add((r.Url, r.Status)); };
        page.RequestFailed += (_, r) => { lock (failedLoads) failedLoads.Add(r.Url); };

        // Not signed in: every page leads to the login form.
        await page.GotoAsync(router.BaseUrl + "/ui/requests");
        Assert.StartsWith(router.BaseUrl + "/ui/login", page.Url);

        // A wrong key (here a real virtual key, which is not the master key) is refused, and not shown back.
        await page.FillAsync("[data-testid=master-key]", teamKey);
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("[data-testid=sign-in]"), r => r.Request.Method == "POST");
        Assert.Equal(401, refused.Status);
        Assert.Equal("That is not the master key.", (await page.Locator("[data-testid=login-error]").InnerTextAsync()).Trim());
        Assert.DoesNotContain(teamKey, await page.ContentAsync());
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "router_ui");

        // The master key signs in and goes back to the page that asked for it.
        await page.FillAsync("[data-testid=master-key]", MasterKey);
        await page.ClickAsync("[data-testid=sign-in]");
        await DashboardBrowser.ArrivedAtAsync(page, "/ui/requests");
        var session = Assert.Single(await context.CookiesAsync(), c => c.Name == "router_ui");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain(MasterKey, session.Value);

        // Overview: the headline numbers are the request log's.
        await page.GotoAsync(router.BaseUrl + "/ui");
        Assert.Equal(requests, Leading(await Text(page, "total-requests")));
        Assert.Equal(cost, Money(await Text(page, "total-cost")));
        Assert.Equal(errors, Leading(await Text(page, "total-errors")));
        Assert.Equal($"provider: {byOrigin["provider"]}", (await Text(page, "errors-provider")).Trim());
        Assert.Equal($"router: {byOrigin["router"]}", (await Text(page, "errors-router")).Trim());
        Assert.Contains($"({hits})", await Text(page, "cache-hit-rate"));
        Assert.Equal(report.Sum(r => r!["saved_cost"]!.GetValue<decimal>()), Money(await Text(page, "saved-cost")));
        foreach (var row in report)
        {
            var model = row!["group"]!.GetValue<string>();
            var shown = page.Locator($"[data-testid=\"report-model-{model}\"]");
            Assert.Equal(row["requests"]!.GetValue<long>(), Leading(await shown.Locator("[data-col=requests]").InnerTextAsync()));
            Assert.Equal(row["cost"]!.GetValue<decimal>(), Money(await shown.Locator("[data-col=cost]").InnerTextAsync()));
            Assert.Equal(row["errors"]!.GetValue<long>(), Leading(await shown.Locator("[data-col=errors]").InnerTextAsync()));
        }
        Assert.Equal(2, await page.Locator("[data-testid^=\"report-key-\"]").CountAsync());
        Assert.Equal(5, await page.Locator("[data-testid=latency] tbody tr").CountAsync()); // all requests + four models
        Assert.True(await page.Locator("svg.mud-chart-bar").CountAsync() >= 2, "the request and latency charts are drawn");
        Assert.Equal(1, await page.Locator("svg.mud-chart-line").CountAsync());
        // MudBlazor's stylesheet, served by the router from the package, is applied.
        Assert.Equal("fixed", await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('.mud-appbar')).position"));
        Assert.DoesNotContain(MasterKey, await page.ContentAsync());
        Assert.DoesNotContain(teamKey, await page.ContentAsync());
        await DashboardBrowser.SaveScreenshotAsync(page, "dashboard.png", Ct);

        // Explorer: the failed request, then its detail with the provider's own error body.
        await page.GotoAsync(router.BaseUrl + "/ui/requests?status=400");
        Assert.Equal("1 requests", (await Text(page, "request-count")).Trim());
        var id = failed["request_id"]!.GetValue<string>();
        await page.Locator($"[data-testid=\"request-{id}\"] a").ClickAsync();
        await DashboardBrowser.ArrivedAtAsync(page, $"/ui/requests/{id}");
        Assert.Equal(id, await Text(page, "detail-id"));
        Assert.Equal("400", await Text(page, "detail-status"));
        Assert.Equal("provider", await Text(page, "detail-origin"));
        Assert.Equal("broken", await Text(page, "detail-requested-model"));
        var shownError = JsonNode.Parse(await Text(page, "upstream-error"));
        Assert.True(JsonNode.DeepEquals(failed["upstream_error"], shownError), $"shown: {shownError}\nlogged: {failed["upstream_error"]}");
        Assert.Contains("Invalid value for 'temperature'", await Text(page, "upstream-error"));
        Assert.Equal(1, await page.Locator("[data-testid=attempts] tbody tr").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "dashboard-request.png"), FullPage = true });

        // The explorer's paging and model filter agree with /spend/logs.
        await page.GotoAsync(router.BaseUrl + "/ui/requests?model=alpha");
        Assert.Equal("3 requests", (await Text(page, "request-count")).Trim());
        Assert.Equal(3, await page.Locator("[data-testid=requests] tbody tr").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "dashboard-requests.png"), FullPage = true });

        // The tag filter, and a row's tags as links to their own filter; the mocked request says so beside its cost.
        await page.GotoAsync(router.BaseUrl + "/ui/requests?tag=nightly");
        Assert.Equal("2 requests", (await Text(page, "request-count")).Trim());
        Assert.Equal("nightly", await page.InputValueAsync("[data-testid=tag-filter]"));
        await page.Locator("[data-testid=requests] tbody tr [data-col=tags] a", new PageLocatorOptions { HasText = "canned" }).ClickAsync();
        await DashboardBrowser.ArrivedAtAsync(page, "/ui/requests?tag=canned");
        Assert.Equal("1 requests", (await Text(page, "request-count")).Trim());
        Assert.EndsWith("mock", (await page.Locator("[data-testid=requests] tbody tr [data-col=cost]").InnerTextAsync()).Trim());

        // Deployments: one row per circuit, in the state the breakers report.
        await page.GotoAsync(router.BaseUrl + "/ui/deployments");
        Assert.Equal(health.Count, await page.Locator("[data-testid=deployments] tbody tr").CountAsync());
        foreach (var card in health)
        {
            var row = page.Locator($"[data-testid=\"deployment-{card!["id"]!.GetValue<string>()}\"]");
            Assert.Equal(card["circuit"]!.GetValue<string>(), (await row.Locator("[data-col=circuit]").InnerTextAsync()).Trim());
            Assert.Equal(card["priced"]!.GetValue<bool>() ? "priced" : "unpriced", (await row.Locator("[data-col=price]").InnerTextAsync()).Trim());
        }
        Assert.Contains(health, card => card!["id"]!.GetValue<string>() == "mock:down" && !card["priced"]!.GetValue<bool>());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "dashboard-deployments.png"), FullPage = true });

        // Every page and asset loaded: nothing failed but the refused login.
        lock (responses)
        {
            Assert.Contains(responses, r => r.Url.EndsWith("/_content/MudBlazor/MudBlazor.min.css", StringComparison.Ordinal) && r.Status == 200);
            var refusedOnly = Assert.Single(responses, r => r.Status >= 400);
            Assert.Equal((router.BaseUrl + "/ui/login", 401), (refusedOnly.Url.Split('?')[0], refusedOnly.Status));
        }
        lock (failedLoads) Assert.Empty(failedLoads);

        // Signing out ends the session.
        await page.ClickAsync("form[action='/ui/logout'] button");
        await DashboardBrowser.ArrivedAtAsync(page, "/ui/login");
        await page.GotoAsync(router.BaseUrl + "/ui");
        Assert.StartsWith(router.BaseUrl + "/ui/login", page.Url);
    }

    [Fact]
    public async Task Pages_and_the_login_refuse_without_a_session_or_an_antiforgery_token()
    {
        await using var mock = await MockOpenAiServer.StartAsync();
        await using var router = await RouterProcess.StartAsync(Config(mock));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(router.BaseUrl) };

        foreach (var path in new[] { "/ui", "/ui/requests", "/ui/requests/some-id", "/ui/deployments" })
        {
            using var response = await http.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/ui/login?return=", response.Headers.Location!.OriginalString.Replace(router.BaseUrl, "", StringComparison.Ordinal));
        }
        // The sign-in page runs no script, cannot be framed and is not cached.
        using (var login = await http.GetAsync("/ui/login", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            var policy = login.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("script-src 'none'", policy);
            Assert.Contains("frame-ancestors 'none'", policy);
            Assert.Equal("DENY", login.Headers.GetValues("X-Frame-Options").Single());
            Assert.True(login.Headers.CacheControl!.NoStore);
        }
        // A forged session cookie is no session.
        using (var forged = new HttpRequestMessage(HttpMethod.Get, "/ui"))
        {
            forged.Headers.Add("Cookie", "router_ui=CfDJ8forged");
            using var response = await http.SendAsync(forged, Ct);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }
        // Posting the master key without the form's antiforgery token is refused, and sets no cookie.
        using var post = await http.PostAsync("/ui/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.Key"] = MasterKey,
        }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.False(post.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task A_session_survives_a_restart_and_ends_when_the_master_key_changes()
    {
        await using var mock = await MockOpenAiServer.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("router-e2e-ui-").FullName;
        try
        {
            string cookie;
            await using (var first = await RouterProcess.StartAsync(Config(mock), dataDir))
                cookie = await SignInAsync(first);
            await using (var second = await RouterProcess.StartAsync(Config(mock), dataDir))
                Assert.Equal(HttpStatusCode.OK, await OverviewStatusAsync(second, cookie));
            await using (var rekeyed = await RouterProcess.StartAsync(Config(mock).Replace(MasterKey, MasterKey + "-new", StringComparison.Ordinal), dataDir))
                Assert.Equal(HttpStatusCode.Redirect, await OverviewStatusAsync(rekeyed, cookie));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<string> SignInAsync(RouterProcess router) => (await DashboardLogin.SignInAsync(router, MasterKey, Ct)).Cookie;

    private static async Task<HttpStatusCode> OverviewStatusAsync(RouterProcess router, string cookie)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(router.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ui");
        request.Headers.Add("Cookie", "router_ui=" + cookie);
        using var response = await http.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private static OpenAIClient Sdk(RouterProcess router, string key) => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(router.BaseUrl + "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    private static async Task<string> GenerateKeyAsync(HttpClient admin, string alias)
    {
        using var response = await admin.PostAsync("/key/generate", Json($$"""{"key_alias":"{{alias}}"}"""), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["key"]!.GetValue<string>();
    }


    private static async Task<string> Text(IPage page, string testId) => await page.Locator($"[data-testid=\"{testId}\"]").InnerTextAsync();

    /// <summary>The whole number a text starts with ("1 (14.3 %)" is 1; thousands separators allowed).</summary>
    private static long Leading(string text)
    {
        var digits = new string(text.Trim().TakeWhile(c => char.IsDigit(c) || c == ',').Where(char.IsDigit).ToArray());
        Assert.True(digits.Length > 0, $"no number at the start of '{text}'");
        return long.Parse(digits, CultureInfo.InvariantCulture);
    }

    private static decimal Money(string text)
    {
        var trimmed = text.Trim();
        Assert.StartsWith("$", trimmed);
        return decimal.Parse(trimmed[1..], NumberStyles.Number, CultureInfo.InvariantCulture);
    }

}
