using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// A running router takes a changed config file on <c>POST /config/reload</c> or SIGHUP: new routes,
/// providers and prices apply to the next request, a request already under way finishes on the table it
/// started with, and an invalid file is refused with its reason while the old configuration stays.
/// </summary>
public sealed class ConfigReloadTests : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-reload-master-5d1c9a7e3b-7e3c";
    private MockOpenAiServer _mock = null!;
    private RouterProcess _router = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Config(string models, string prices = "") => $$"""
          master-key = "{{MasterKey}}"
          cache.enabled = false
          routing.retries = 0
          providers {
            mock { type = openai-compatible, api-base = "{{_mock.ApiBase}}" }
            dead { type = openai-compatible, api-base = "http://127.0.0.1:9/v1" }
          }
          models = [ {{models}} ]
          prices { {{prices}} }
        """;

    public async ValueTask InitializeAsync()
    {
        _mock = await MockOpenAiServer.StartAsync();
        _router = await RouterProcess.StartAsync(Config("""
            { name = "alpha", provider = mock, model = "echo-alpha" }
            { name = "slow-alpha", provider = mock, model = "delay-1500" }
            """, """ "alpha" { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 } """));
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _mock.DisposeAsync();
    }

    private async Task<HttpResponseMessage> AskAsync(string model, string text = "one two three")
    {
        using var http = _router.CreateClient(MasterKey);
        return await http.PostAsync("/v1/chat/completions",
            Json($$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{text}}"}]}"""), Ct);
    }

    private async Task<JsonNode> ReloadAsync(HttpStatusCode expected)
    {
        using var http = _router.CreateClient(MasterKey);
        using var response = await http.PostAsync("/config/reload", null, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, body);
        return JsonNode.Parse(body)!;
    }

    private static decimal CostOf(HttpResponseMessage response) =>
        decimal.Parse(response.Headers.GetValues("x-router-response-cost").Single(), NumberStyles.Number, CultureInfo.InvariantCulture);

    [Fact]
    public async Task New_routes_providers_and_prices_apply_to_the_next_request_while_one_under_way_finishes_on_the_old_table()
    {
        using var before = await AskAsync("alpha");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        using var unknown = await AskAsync("beta");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // Under way when the table changes: slow-alpha moves to a dead provider, but this request started on the mock.
        var underWay = AskAsync("slow-alpha");
        await Task.Delay(300, Ct);
        await _router.RewriteConfigAsync(Config("""
            { name = "alpha", provider = mock, model = "echo-alpha" }
            { name = "slow-alpha", provider = dead, model = "delay-1500" }
            { name = "beta", provider = mock, model = "echo-beta" }
            """, """ "alpha" { input-cost-per-token = 0.00001, output-cost-per-token = 0.00002 } """));
        var reloaded = await ReloadAsync(HttpStatusCode.OK);
        Assert.True(reloaded["reloaded"]!.GetValue<bool>());
        Assert.Empty(reloaded["restart_required"]!.AsArray());
        Assert.Empty(reloaded["warnings"]!.AsArray());

        using var finished = await underWay;
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        using var beta = await AskAsync("beta");
        Assert.Equal(HttpStatusCode.OK, beta.StatusCode);
        using var after = await AskAsync("alpha");
        Assert.Equal(10 * CostOf(before), CostOf(after)); // same prompt and answer, ten times the price
        using var moved = await AskAsync("slow-alpha");
        Assert.Equal(HttpStatusCode.BadGateway, moved.StatusCode);
        using var models = await _router.CreateClient(MasterKey).GetAsync("/v1/models", Ct);
        Assert.Contains("\"beta\"", await models.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task An_invalid_file_is_refused_with_its_reason_and_the_old_configuration_stays()
    {
        await _router.RewriteConfigAsync(Config("""{ name = "alpha", provider = nowhere }"""));
        var refused = await ReloadAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_config", refused["error"]!["code"]!.GetValue<string>());
        Assert.Contains("nowhere", refused["error"]!["message"]!.GetValue<string>());

        await _router.RewriteConfigAsync("models = [ { name = ");
        Assert.Equal("invalid_config", (await ReloadAsync(HttpStatusCode.BadRequest))["error"]!["code"]!.GetValue<string>());

        using var still = await AskAsync("alpha");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task SIGHUP_reloads_and_settings_that_need_a_restart_are_named()
    {
        await _router.RewriteConfigAsync(Config("""{ name = "gamma", provider = mock, model = "echo-gamma" }""") + "\nmax-request-body-bytes = 1000");
        _router.Hangup();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        do
        {
            await Task.Delay(100, Ct);
            using var gamma = await AskAsync("gamma");
            status = gamma.StatusCode;
        } while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(_router.HasExited);
        Assert.Contains("max-request-body-bytes", _router.Output);
    }

    [Fact]
    public async Task Only_the_master_key_may_reload()
    {
        using var anonymous = _router.CreateClient(null);
        using var response = await anonymous.PostAsync("/config/reload", null, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
