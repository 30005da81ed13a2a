using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenAI;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The dashboard's models page in Debian's chromium: the list <c>/v1/models</c> gives, each model's deployments,
/// prices and last hour as the request log holds it, and its trip/reset buttons acting on the breakers that route
/// the OpenAI SDK's next requests (two providers on two mocks, so it is seen which one answered).
/// </summary>
[Collection(DashboardBrowser.Collection)]
public sealed partial class ModelsPageTests
{
    private const string MasterKey = "sk-e2e-models-page-master-8b2f4c6d1e9a";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Config(MockOpenAiServer first, MockOpenAiServer second) => $$"""
          master-key = "{{MasterKey}}"
          request-log { batch-interval = 200ms }
          breaker { cooldown = 10m, minimum-calls-in-window = 1000000 }
          # Not local, so that "solo", which has no price, is unpriced.
          providers {
            a { type = openai-compatible, api-base = "{{first.ApiBase}}", local = false }
            b { type = openai-compatible, api-base = "{{second.ApiBase}}", local = false }
          }
          models = [
            { name = "duo", provider = a, model = "echo-duo", max-input-tokens = 32000 }
            { name = "duo", provider = b, model = "echo-duo" }
            { name = "solo", provider = a, model = "echo-solo" }
            { name = "broken", provider = a, model = "fail-400" }
          ]
          prices {
            "duo"    { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 }
            "broken" { input-cost-per-token = 0.0000005, output-cost-per-token = 0.0000015 }
          }
        """;

    [Fact]
    public async Task The_page_lists_what_v1_models_lists_and_its_buttons_trip_and_reset_the_circuit_requests_use()
    {
        await using var first = await MockOpenAiServer.StartAsync();
        await using var second = await MockOpenAiServer.StartAsync();
        await using var router = await RouterProcess.StartAsync(Config(first, second));
        using var admin = router.CreateClient(MasterKey);
        var sdk = Sdk(router);

        // Traffic: an odd count per model, so each median is one request's latency.
        for (var i = 0; i < 5; i++) await AskAsync(sdk, "duo");
        await AskAsync(sdk, "solo");
        for (var i = 0; i < 3; i++)
        {
            var refused = await Assert.ThrowsAsync<ClientResultException>(() => AskAsync(sdk, "broken"));
            Assert.Equal(400, refused.Status);
        }
        var logs = await DashboardBrowser.LogsAsync(admin, 9, Ct);
        var listed = (await admin.GetFromJsonAsync<JsonObject>("/v1/models", Ct))!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(["duo", "solo", "broken"], listed);

        await using var browser = await DashboardBrowser.OpenAsync(width: 1600);
        var context = browser.Context;
        var page = await context.NewPageAsync();

        // The page asks for a session first, then comes back.
        await page.GotoAsync(router.BaseUrl + "/ui/models");
        Assert.StartsWith(router.BaseUrl + "/ui/login", page.Url);
        await page.FillAsync("[data-testid=master-key]", MasterKey);
        await page.ClickAsync("[data-testid=sign-in]");
        await DashboardBrowser.ArrivedAtAsync(page, "/ui/models");

        // The names, in /v1/models' order; each with the request log's last hour.
        var shown = await page.Locator("[data-testid=models] tbody[data-model]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.model)");
        Assert.Equal(listed, shown);
        foreach (var model in listed)
        {
            var rows = logs.Where(r => r!["requested_model"]!.GetValue<string>() == model).ToList();
            var latencies = rows.Select(r => r!["latency_ms"]!.GetValue<double>()).Order().ToList();
            var section = page.Locator($"[data-testid=\"model-{model}\"]");
            Assert.Equal(rows.Count.ToString(CultureInfo.InvariantCulture), await Cell(section, "requests"));
            Assert.Equal(rows.Count(r => r!["status"]!.GetValue<int>() >= 400).ToString(CultureInfo.InvariantCulture), await Cell(section, "errors"));
            var p50 = await Cell(section, "p50");
            Assert.EndsWith(" ms", p50);
            // From the rollups' latency buckets: the upper bound of the median's bucket, never below it and at most 26 % above.
            var (median, p50Ms) = (latencies[latencies.Count / 2], double.Parse(p50[..^3], CultureInfo.InvariantCulture));
            Assert.InRange(p50Ms, median - 0.051, median * 1.26 + 0.051);
        }
        Assert.Equal("5", await Cell(page.Locator("[data-testid=\"model-duo\"]"), "requests"));
        Assert.Equal("3", await Cell(page.Locator("[data-testid=\"model-broken\"]"), "errors"));

        // Deployments, providers, context windows and prices per million tokens; no price is "unpriced" in warning colour.
        Assert.Equal(2, await page.Locator("[data-testid=\"model-duo\"] tr").CountAsync());
        Assert.Equal(("a", "32,000", "$1.00 / $2.00"), (await Cell(Circuit(page, "a:duo"), "provider"), await Cell(Circuit(page, "a:duo"), "context"),
            await Cell(Circuit(page, "a:duo"), "price")));
        Assert.Equal(("b", "unknown", "$1.00 / $2.00"), (await Cell(Circuit(page, "b:duo"), "provider"), await Cell(Circuit(page, "b:duo"), "context"),
            await Cell(Circuit(page, "b:duo"), "price")));
        Assert.Equal("$0.50 / $1.50", await Cell(Circuit(page, "a:broken"), "price"));
        Assert.Equal("unpriced", await Cell(Circuit(page, "a:solo"), "price"));
        Assert.Contains("mud-chip-color-warning", await Circuit(page, "a:solo").Locator("[data-col=price] .mud-chip").GetAttributeAsync("class"));
        foreach (var circuit in new[] { "a:duo", "b:duo", "a:solo", "a:broken" })
            Assert.Equal("closed", await Cell(Circuit(page, circuit), "circuit"));

        // Trip the first deployment of "duo": the page shows it open, and the SDK's next requests all go to the other mock.
        await page.ClickAsync("[data-testid=\"trip-a:duo\"]");
        await DashboardBrowser.ArrivedAtAsync(page, "/ui/models?tripped=a%3Aduo");
        Assert.Equal("open", await Cell(Circuit(page, "a:duo"), "circuit"));
        Assert.Equal("closed", await Cell(Circuit(page, "b:duo"), "circuit"));
        Assert.Equal("open", await HealthCircuitAsync(admin, "a:duo"));
        await DashboardBrowser.SaveScreenshotAsync(page, "models.png", Ct);
        var (onFirst, onSecond) = (first.CallsOf("echo-duo"), second.CallsOf("echo-duo"));
        Assert.Equal(5, onFirst + onSecond);
        for (var i = 0; i < 4; i++) await AskAsync(sdk, "duo");
        Assert.Equal((onFirst, onSecond + 4), (first.CallsOf("echo-duo"), second.CallsOf("echo-duo")));

        // Reset it: closed again, and the first mock takes its share once more.
        await page.ClickAsync("[data-testid=\"reset-a:duo\"]");
        await DashboardBrowser.ArrivedAtAsync(page, "/ui/models?reset=a%3Aduo");
        Assert.Equal("closed", await Cell(Circuit(page, "a:duo"), "circuit"));
        Assert.Equal("closed", await HealthCircuitAsync(admin, "a:duo"));
        for (var i = 0; i < 4; i++) await AskAsync(sdk, "duo");
        Assert.True(first.CallsOf("echo-duo") > onFirst, "after the reset the first deployment is used again");
        Assert.DoesNotContain(MasterKey, await page.ContentAsync());
    }

    [Fact]
    public async Task Only_a_session_with_the_forms_antiforgery_token_changes_a_circuit_and_bad_input_is_refused_by_name()
    {
        await using var first = await MockOpenAiServer.StartAsync();
        await using var second = await MockOpenAiServer.StartAsync();
        await using var router = await RouterProcess.StartAsync(Config(first, second));
        using var admin = router.CreateClient(MasterKey);

        // Without a session: the page and its form lead to the login, even with a valid antiforgery token, and nothing changes.
        var anonymous = Browser(router, session: null);
        using (var get = await anonymous.GetAsync("/ui/models", Ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, get.StatusCode);
            Assert.StartsWith("/ui/login?return=", get.Headers.Location!.OriginalString.Replace(router.BaseUrl, "", StringComparison.Ordinal));
        }
        var loginToken = Token(await anonymous.GetStringAsync("/ui/login", Ct));
        // The page renders no form for a caller without a session, so Blazor refuses a post to it (400) and nothing runs.
        using (var post = await PostAsync(anonymous, loginToken, "trip:a:duo"))
            Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal("closed", await HealthCircuitAsync(admin, "a:duo"));

        var login = await DashboardLogin.SignInAsync(router, MasterKey, Ct);
        var signedIn = Browser(router, login.Cookie);
        string token;
        using (var get = await signedIn.GetAsync("/ui/models", Ct))
        {
            // The buttons are plain forms: the page still allows no script.
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Contains("script-src 'none'", get.Headers.GetValues("Content-Security-Policy").Single());
            token = Token(await get.Content.ReadAsStringAsync(Ct));
        }

        // A session without the form's token is refused before anything runs.
        using (var post = await PostAsync(signedIn, token: null, "trip:a:duo"))
            Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal("closed", await HealthCircuitAsync(admin, "a:duo"));

        // Bad input is named, and so is a deployment nothing routes (404 on /admin/breakers/trip; a page's 404 would lose its body).
        using (var post = await PostAsync(signedIn, token, "open:a:duo"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
            Assert.Contains("&#x27;Change&#x27; must be trip:", await post.Content.ReadAsStringAsync(Ct));
        }
        using (var post = await PostAsync(signedIn, token, "trip:a:nothing"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
            Assert.Contains("No deployment &#x27;a:nothing&#x27;", await post.Content.ReadAsStringAsync(Ct));
        }

        // With both, the circuit opens and the answer sends the browser back to the page.
        using (var post = await PostAsync(signedIn, token, "trip:a:duo"))
        {
            Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
            Assert.EndsWith("/ui/models?tripped=a%3Aduo", post.Headers.Location!.OriginalString);
        }
        Assert.Equal("open", await HealthCircuitAsync(admin, "a:duo"));
        using (var post = await PostAsync(signedIn, token, "reset:a:duo"))
            Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.Equal("closed", await HealthCircuitAsync(admin, "a:duo"));
    }

    /// <summary>A client keeping cookies (the antiforgery one), with the dashboard session when given, following no redirect.</summary>
    private static HttpClient Browser(RouterProcess router, string? session)
    {
        var handler = router.Handler();
        handler.CookieContainer = new CookieContainer();
        handler.AllowAutoRedirect = false;
        if (session is not null) handler.CookieContainer.Add(new Uri(router.BaseUrl + "/ui"), new System.Net.Cookie(DashboardLogin.CookieName, session, "/ui"));
        return new HttpClient(handler) { BaseAddress = new Uri(router.BaseUrl) };
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string? token, string change)
    {
        var form = new Dictionary<string, string> { ["_handler"] = "breakers", ["Change"] = change };
        if (token is not null) form["__RequestVerificationToken"] = token;
        return http.PostAsync("/ui/models", new FormUrlEncodedContent(form), Ct);
    }

    private static string Token(string html)
    {
        var token = AntiforgeryField().Match(html).Groups[1].Value;
        Assert.NotEmpty(token);
        return token;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static async Task<string> HealthCircuitAsync(HttpClient admin, string id)
    {
        var cards = (await admin.GetFromJsonAsync<JsonObject>("/health/deployments", Ct))!["deployments"]!.AsArray();
        return cards.Single(c => c!["id"]!.GetValue<string>() == id)!["circuit"]!.GetValue<string>();
    }

    private static ILocator Circuit(IPage page, string id) => page.Locator($"[data-testid=\"circuit-{id}\"]");

    private static async Task<string> Cell(ILocator scope, string column) => (await scope.Locator($"[data-col={column}]").InnerTextAsync()).Trim();

    private static OpenAIClient Sdk(RouterProcess router) => new(new ApiKeyCredential(MasterKey), new OpenAIClientOptions
    {
        Endpoint = new Uri(router.BaseUrl + "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    private static Task AskAsync(OpenAIClient sdk, string model) =>
        sdk.GetChatClient(model).CompleteChatAsync([new UserChatMessage("how are you " + Guid.NewGuid())], cancellationToken: Ct);


}
