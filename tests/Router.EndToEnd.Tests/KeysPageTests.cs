using System.ClientModel;
using System.ClientModel.Primitives;
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
/// <c>/ui/keys</c> in Debian's chromium: a key made, blocked, edited, regenerated and deleted with the page's forms
/// (no script runs: the page's CSP forbids it), each change checked by what the OpenAI SDK is then let do and by
/// what <c>/key/list</c> and <c>/key/info</c> say.
/// </summary>
[Collection(DashboardBrowser.Collection)]
public sealed class KeysPageTests
{
    private const string MasterKey = "sk-e2e-keys-page-master-8b2e4d6f1a3c";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Config(MockOpenAiServer mock) => $$"""
          master-key = "{{MasterKey}}"
          request-log { batch-interval = 200ms }
          providers { mock { type = openai-compatible, api-base = "{{mock.ApiBase}}" } }
          models = [
            { name = "alpha", provider = mock, model = "echo-alpha" }
            { name = "beta", provider = mock, model = "echo-beta" }
          ]
          prices {
            "alpha" { input-cost-per-token = 0.001, output-cost-per-token = 0.002 }
            "beta"  { input-cost-per-token = 0.001, output-cost-per-token = 0.002 }
          }
        """;

    [Fact]
    public async Task A_key_is_made_used_blocked_edited_regenerated_and_deleted_in_the_browser()
    {
        await using var mock = await MockOpenAiServer.StartAsync();
        await using var router = await RouterProcess.StartAsync(Config(mock));
        using var admin = router.CreateClient(MasterKey);

        await using var browser = await DashboardBrowser.OpenAsync(width: 1600);
        var context = browser.Context;
        var page = await context.NewPageAsync();

        // The page asks for the sign-in, then comes back.
        await page.GotoAsync(router.BaseUrl + "/ui/keys");
        await page.FillAsync("[data-testid=master-key]", MasterKey);
        await page.ClickAsync("[data-testid=sign-in]");
        await DashboardBrowser.ArrivedAtAsync(page, "/ui/keys");

        // A key with a model list, a budget per period and a rate limit.
        await page.FillAsync("[data-testid=Create-key_alias]", "laptop");
        await page.FillAsync("[data-testid=Create-models]", "alpha");
        await page.FillAsync("[data-testid=Create-max_budget]", "5");
        await page.FillAsync("[data-testid=Create-budget_duration]", "30d");
        await page.FillAsync("[data-testid=Create-rpm_limit]", "600");
        var created = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("[data-testid=create]"), r => r.Request.Method == "POST");
        Assert.Equal(200, created.Status);
        Assert.Contains("script-src 'none'", await created.HeaderValueAsync("content-security-policy"));
        var secret = await page.InputValueAsync("[data-testid=new-secret]");
        Assert.StartsWith("sk-", secret);
        Assert.False(await page.Locator("[data-testid=new-secret]").IsEditableAsync(), "the secret is shown read-only");

        var listed = Assert.Single(await ListAsync(admin))!;
        var id = listed["key_id"]!.GetValue<string>();
        Assert.Equal("laptop", listed["key_alias"]!.GetValue<string>());
        Assert.Equal(["alpha"], listed["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(5m, listed["max_budget"]!.GetValue<decimal>());
        Assert.Equal("30d", listed["budget_duration"]!.GetValue<string>());
        Assert.Equal(600, listed["rpm_limit"]!.GetValue<int>());
        var row = page.Locator($"[data-testid=\"key-{id}\"]");
        Assert.Equal("alpha", (await row.Locator("[data-col=models]").InnerTextAsync()).Trim());
        Assert.Equal("600 rpm", (await row.Locator("[data-col=limits]").InnerTextAsync()).Trim());
        Assert.StartsWith("every 30d", (await row.Locator("[data-col=period]").InnerTextAsync()).Trim());
        Assert.Equal("never", (await row.Locator("[data-col=last-used]").InnerTextAsync()).Trim());

        // The secret is shown once: the page asked for again does not have it.
        var again = await page.GotoAsync(router.BaseUrl + "/ui/keys");
        Assert.Equal(200, again!.Status);
        Assert.Equal(0, await page.Locator("[data-testid=new-secret]").CountAsync());
        Assert.DoesNotContain(secret, await page.ContentAsync());

        // The key works for its model, and only for it.
        await Sdk(router, secret).GetChatClient("alpha").CompleteChatAsync([new UserChatMessage("one two three")], cancellationToken: Ct);
        Assert.Equal(403, await RefusedAsync(secret, "beta"));

        // Blocked from its page: the next request is refused; unblocked, it works again.
        await page.ClickAsync($"[data-testid=\"key-{id}\"] a");
        await DashboardBrowser.ArrivedAtAsync(page, $"/ui/keys/{id}");
        await page.ClickAsync("[data-testid=block]");
        await DashboardBrowser.ArrivedAtAsync(page, $"/ui/keys/{id}?saved=blocked");
        Assert.Equal("blocked", (await page.Locator("[data-testid=key-title] [data-testid=state]").InnerTextAsync()).Trim());
        Assert.Equal(401, await RefusedAsync(secret, "alpha"));
        await page.ClickAsync("[data-testid=block]");
        await DashboardBrowser.ArrivedAtAsync(page, $"/ui/keys/{id}?saved=unblocked");
        Assert.Equal("active", (await page.Locator("[data-testid=key-title] [data-testid=state]").InnerTextAsync()).Trim());
        await Sdk(router, secret).GetChatClient("alpha").CompleteChatAsync([new UserChatMessage("four five")], cancellationToken: Ct);

        // Its models edited: alpha is now refused, beta taken.
        Assert.Equal("alpha", await page.InputValueAsync("[data-testid=Edit-models]"));
        await page.FillAsync("[data-testid=Edit-models]", "beta");
        await page.ClickAsync("[data-testid=save]");
        await DashboardBrowser.ArrivedAtAsync(page, $"/ui/keys/{id}?saved=saved");
        Assert.Equal(403, await RefusedAsync(secret, "alpha"));
        await Sdk(router, secret).GetChatClient("beta").CompleteChatAsync([new UserChatMessage("six")], cancellationToken: Ct);

        // A bad value is refused on the form, naming its field, and changes nothing.
        await page.FillAsync("[data-testid=Edit-max_budget]", "-1");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("[data-testid=save]"), r => r.Request.Method == "POST");
        Assert.Equal(400, refused.Status);
        Assert.Equal("max_budget", await page.GetAttributeAsync("[data-testid=form-error]", "data-param"));
        Assert.Contains("'max_budget' must be a number", await page.InnerTextAsync("[data-testid=form-error]"));
        Assert.Contains("'max_budget'", await page.InnerTextAsync("label[data-param=max_budget] [data-testid=field-error]"));
        Assert.Equal("-1", await page.InputValueAsync("[data-testid=Edit-max_budget]"));
        Assert.Equal(5m, (await InfoAsync(admin, id))["max_budget"]!.GetValue<decimal>());

        // Regenerated: the new secret is shown once, the old one is refused and the new one works.
        await page.GotoAsync(router.BaseUrl + $"/ui/keys/{id}");
        await page.ClickAsync("[data-testid=regenerate]");
        var renewed = await page.InputValueAsync("[data-testid=new-secret]");
        Assert.StartsWith("sk-", renewed);
        Assert.NotEqual(secret, renewed);
        Assert.Equal(401, await RefusedAsync(secret, "beta"));
        await Sdk(router, renewed).GetChatClient("beta").CompleteChatAsync([new UserChatMessage("seven")], cancellationToken: Ct);
        await page.GotoAsync(router.BaseUrl + $"/ui/keys/{id}");
        Assert.DoesNotContain(renewed, await page.ContentAsync());

        // A few more keys for the picture: one blocked, one without limits.
        await router.GenerateKeyAsync(MasterKey, new { key_alias = "ci-runner", blocked = true, models = new[] { "alpha" }, tpm_limit = 20000 }, Ct);
        await router.GenerateKeyAsync(MasterKey, new { key_alias = "home-assistant", duration = "90d" }, Ct);
        var spend = await SpendAsync(admin, id);
        Assert.True(spend > 0, "the key's requests were counted against its budget");
        // A budget the spend nears, so the picture shows a bar that says so.
        using (var tightened = await admin.PostAsync("/key/update", JsonContent.Create(new { key = id, max_budget = 0.04m }), Ct))
            Assert.True(tightened.IsSuccessStatusCode, await tightened.Content.ReadAsStringAsync(Ct));
        await ShowsLastUseAsync(page, router, id);
        Assert.Equal("blocked", (await page.Locator("tr[data-alias=ci-runner] [data-testid=state]").InnerTextAsync()).Trim());
        Assert.Equal(spend, decimal.Parse((await page.GetAttributeAsync($"[data-testid=\"key-{id}\"] [data-spend]", "data-spend"))!,
            System.Globalization.CultureInfo.InvariantCulture));
        await DashboardBrowser.SaveScreenshotAsync(page, "keys.png", Ct);

        // Deleted after a confirmation step: asking does not delete, confirming does.
        await page.GotoAsync(router.BaseUrl + $"/ui/keys/{id}");
        await page.ClickAsync("[data-testid=delete]");
        await DashboardBrowser.ArrivedAtAsync(page, $"/ui/keys/{id}?delete=1");
        Assert.True(await page.Locator("[data-testid=confirm-delete]").IsVisibleAsync());
        Assert.Contains(await ListAsync(admin), k => k!["key_id"]!.GetValue<string>() == id);
        await page.ClickAsync("[data-testid=delete-confirm]");
        await DashboardBrowser.ArrivedAtAsync(page, "/ui/keys");
        Assert.DoesNotContain(await ListAsync(admin), k => k!["key_id"]!.GetValue<string>() == id);
        Assert.Equal(0, await page.Locator($"[data-testid=\"key-{id}\"]").CountAsync());
        Assert.Equal(401, await RefusedAsync(renewed, "beta"));

        async Task<int> RefusedAsync(string key, string model)
        {
            var error = await Assert.ThrowsAsync<ClientResultException>(() =>
                Sdk(router, key).GetChatClient(model).CompleteChatAsync([new UserChatMessage("refused?")], cancellationToken: Ct));
            return error.Status;
        }
    }

    [Fact]
    public async Task Key_forms_refuse_a_post_without_an_antiforgery_token_or_a_session()
    {
        await using var mock = await MockOpenAiServer.StartAsync();
        await using var router = await RouterProcess.StartAsync(Config(mock));
        using var admin = router.CreateClient(MasterKey);
        var session = await DashboardLogin.SignInAsync(router, MasterKey, Ct);
        using var signedIn = session.Client(router);

        using (var page = await signedIn.GetAsync("/ui/keys", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("script-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        }

        // A session but no antiforgery token (a post from another site's form): refused before the page runs.
        using (var forged = await signedIn.PostAsync("/ui/keys", Form(("_handler", "create-key"), ("Create.Alias", "forged")), Ct))
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        // A valid token (any visitor can have one from the sign-in form) but no session: refused, nothing made.
        var cookies = new CookieContainer();
        var handler = router.Handler();
        handler.CookieContainer = cookies;
        handler.AllowAutoRedirect = false;
        using var stranger = new HttpClient(handler) { BaseAddress = new Uri(router.BaseUrl) };
        foreach (var path in new[] { "/ui/keys", "/ui/keys/key_0000000000000001" })
        {
            using var asked = await stranger.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.Redirect, asked.StatusCode);
            Assert.Contains("/ui/login?return=", asked.Headers.Location!.OriginalString);
        }
        var login = await stranger.GetStringAsync("/ui/login", Ct);
        var token = Regex.Match(login, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        var post = Form(("_handler", "create-key"), ("__RequestVerificationToken", token), ("Create.Alias", "by-form"));
        using (var anonymous = await stranger.PostAsync("/ui/keys", post, Ct))
            Assert.Equal(HttpStatusCode.BadRequest, anonymous.StatusCode); // the page renders no form for it to post to
        Assert.Empty(await ListAsync(admin));

        // The same post with a session makes the key: the token was good, the session was what lacked.
        cookies.Add(new Uri(router.BaseUrl), new System.Net.Cookie(DashboardLogin.CookieName, session.Cookie, "/ui"));
        using (var made = await stranger.PostAsync("/ui/keys", post, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, made.StatusCode);
            Assert.Contains("data-testid=\"new-secret\"", await made.Content.ReadAsStringAsync(Ct));
        }
        Assert.Equal("by-form", Assert.Single(await ListAsync(admin))!["key_alias"]!.GetValue<string>());
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static OpenAIClient Sdk(RouterProcess router, string key) => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(router.BaseUrl + "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    private static async Task<JsonArray> ListAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<JsonObject>("/key/list", Ct))!["data"]!.AsArray();

    private static async Task<JsonNode> InfoAsync(HttpClient admin, string id) =>
        (await admin.GetFromJsonAsync<JsonObject>($"/key/info?key={id}", Ct))!["info"]!;

    /// <summary>The key's spend once its requests are settled (settlement runs after the answer).</summary>
    private static async Task<decimal> SpendAsync(HttpClient admin, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        decimal spend;
        while ((spend = (await InfoAsync(admin, id))["spend"]!.GetValue<decimal>()) == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(100, Ct);
        return spend;
    }

    /// <summary>Last used comes from the request log, which is written in batches: the list is asked for until it shows it.</summary>
    private static async Task ShowsLastUseAsync(IPage page, RouterProcess router, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string shown;
        do
        {
            await page.GotoAsync(router.BaseUrl + "/ui/keys");
            shown = (await page.Locator($"[data-testid=\"key-{id}\"] [data-col=last-used]").InnerTextAsync()).Trim();
        } while (shown == "never" && DateTime.UtcNow < deadline && await Delay());
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$", shown);

        static async Task<bool> Delay()
        {
            await Task.Delay(200, Ct);
            return true;
        }
    }

}
