using System.Net;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// A key's budget is a cap through a real router: a request its budget cannot cover whole is sent with the completion
/// limit the budget covers (what reached the provider says so, and so does the answer's header), or refused when
/// too little is left; and a key with a budget is refused a model without a price, which other keys still use.
/// </summary>
public sealed class BudgetCapTests : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-budget-cap-master-7a3e1f0c9d";
    private const string ProviderSecret = "sk-planted-provider-secret-3b8d02e6f1";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MockOpenAiServer _mock = null!;

    public async ValueTask InitializeAsync() => _mock = await MockOpenAiServer.StartAsync(requiredKey: ProviderSecret);

    /// <param name="unpriced">router.pricing.unpriced, when the test sets it.</param>
    private string Config(string? unpriced = null) => $$"""
          master-key = "{{MasterKey}}"
          cache.enabled = false
          providers {
            mock { type = openai-compatible, api-base = "{{_mock.ApiBase}}", api-key = "{{ProviderSecret}}" }
            # The same mock as a paid provider (as a gateway to a paid API on loopback would be): its model below has no price.
            paid { type = openai-compatible, api-base = "{{_mock.ApiBase}}", api-key = "{{ProviderSecret}}", local = false }
          }
          models = [ { name = "budget/*", provider = mock }, { name = "mystery", provider = paid, model = "mystery-model" } ]
          # A tenth of a cent per token: "hi" is 8 prompt tokens ($0.008) as the router counts them.
          prices { "budget/echo" { input-cost-per-token = 0.001, output-cost-per-token = 0.001 } }
          {{(unpriced is null ? "" : $"pricing.unpriced = {unpriced}")}}
        """;

    private static StringContent Hi(string model, string limits = "") =>
        Json($$"""{"model":"{{model}}",{{limits}}"messages":[{"role":"user","content":"hi"}]}""");

    /// <summary>The body the mock received last for <paramref name="model"/> (its upstream name).</summary>
    private JsonObject LastSent(string model) => _mock.Received.Last(r => r.Body["model"]?.GetValue<string>() == model).Body;

    [Fact]
    public async Task A_key_near_its_budget_has_its_max_tokens_lowered_to_what_the_budget_covers()
    {
        await using var router = await RouterProcess.StartAsync(Config());
        // $0.10 less $0.008 of prompt covers 92 completion tokens, not the 1,000 asked for.
        var key = await router.GenerateKeyAsync(MasterKey, new { max_budget = 0.10 }, Ct);
        using var http = router.CreateClient(key);

        using var response = await http.PostAsync("/v1/chat/completions", Hi("budget/echo", "\"max_tokens\":1000,"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("92", response.Headers.GetValues("x-router-max-tokens-capped").Single());
        Assert.Equal(92, LastSent("echo")["max_tokens"]!.GetValue<int>());
        // The mock answered 4 prompt + 1 completion tokens: that, not the reservation, is what the key spent.
        Assert.Equal(0.005m, await SpendAsync(router, key, 0.005m));
    }

    /// <summary>The key's spend once it reached <paramref name="expected"/> (a settlement told a moment after the answer), or after 5 s.</summary>
    private static async Task<decimal> SpendAsync(RouterProcess router, string key, decimal expected)
    {
        var spend = 0m;
        for (var deadline = DateTime.UtcNow.AddSeconds(5); spend != expected && DateTime.UtcNow < deadline; await Task.Delay(50, Ct))
            spend = (await router.KeyInfoAsync(key, Ct))["spend"]!.GetValue<decimal>();
        return spend;
    }

    [Fact]
    public async Task The_field_the_client_sent_is_the_one_lowered_and_a_request_without_one_gets_max_tokens()
    {
        await using var router = await RouterProcess.StartAsync(Config());
        var key = await router.GenerateKeyAsync(MasterKey, new { max_budget = 0.10 }, Ct);
        using var http = router.CreateClient(key);

        using (var response = await http.PostAsync("/v1/chat/completions", Hi("budget/echo", "\"max_completion_tokens\":500,"), Ct))
            Assert.Equal("92", response.Headers.GetValues("x-router-max-tokens-capped").Single());
        var sent = LastSent("echo");
        Assert.Equal(92, sent["max_completion_tokens"]!.GetValue<int>());
        Assert.False(sent.ContainsKey("max_tokens"));
        await SpendAsync(router, key, 0.005m);

        // No limit: the router assumes router.estimate-completion-tokens (1024) and sends the 87 the budget now covers.
        using (var response = await http.PostAsync("/v1/chat/completions", Hi("budget/echo"), Ct))
            Assert.Equal("87", response.Headers.GetValues("x-router-max-tokens-capped").Single());
        Assert.Equal(87, LastSent("echo")["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_request_the_budget_covers_whole_goes_as_sent()
    {
        await using var router = await RouterProcess.StartAsync(Config());
        var key = await router.GenerateKeyAsync(MasterKey, new { max_budget = 10 }, Ct);
        using var http = router.CreateClient(key);

        using var response = await http.PostAsync("/v1/chat/completions", Hi("budget/echo", "\"max_tokens\":1000,"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("x-router-max-tokens-capped"));
        Assert.Equal(1000, LastSent("echo")["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_long_prompt_whose_tokens_fit_goes_whole_though_its_bytes_would_not()
    {
        await using var router = await RouterProcess.StartAsync(Config());
        // 500 words: 3,000 bytes and about 500 tokens. $1 and 1,000 tokens a minute cover its tokens and its 10 completion
        // tokens whole; not its bytes, the bound admission tries first ($3, 3,000 tokens).
        var key = await router.GenerateKeyAsync(MasterKey, new { max_budget = 1.0, tpm_limit = 1000 }, Ct);
        using var http = router.CreateClient(key);
        var words = string.Concat(Enumerable.Repeat("hello ", 500));

        using var response = await http.PostAsync("/v1/chat/completions",
            Json($$"""{"model":"budget/echo","max_tokens":10,"messages":[{"role":"user","content":"{{words}}"}]}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("x-router-max-tokens-capped"));
        Assert.Equal(10, LastSent("echo")["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_key_with_too_little_left_for_the_minimum_completion_is_refused()
    {
        await using var router = await RouterProcess.StartAsync(Config());
        // $0.02 less $0.008 of prompt covers 12 completion tokens: fewer than router.budgets.min-completion-tokens (16).
        var key = await router.GenerateKeyAsync(MasterKey, new { max_budget = 0.02 }, Ct);
        using var http = router.CreateClient(key);
        var before = _mock.Received.Count;

        using var response = await http.PostAsync("/v1/chat/completions", Hi("budget/echo", "\"max_tokens\":1000,"), Ct);

        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("budget_exceeded", error["code"]!.GetValue<string>());
        Assert.Contains("16 tokens", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, _mock.Received.Count);
    }

    [Fact]
    public async Task A_key_with_a_budget_is_refused_an_unpriced_model_that_other_keys_are_served()
    {
        await using var router = await RouterProcess.StartAsync(Config());
        var budgeted = await router.GenerateKeyAsync(MasterKey, new { max_budget = 5 }, Ct);
        var unlimited = await router.GenerateKeyAsync(MasterKey, new { models = new[] { "mystery" } }, Ct);

        using (var http = router.CreateClient(budgeted))
        {
            var error = await ErrorOf(await http.PostAsync("/v1/chat/completions", Hi("mystery"), Ct), HttpStatusCode.BadRequest);
            Assert.Equal(("model_not_priced", "model"), (error["code"]!.GetValue<string>(), error["param"]!.GetValue<string>()));
            Assert.Contains("'mystery'", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains("router.pricing.unpriced", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
            // A priced model is still served to the same key.
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", Hi("budget/echo"), Ct)).StatusCode);
        }
        Assert.DoesNotContain(_mock.Received, r => r.Body["model"]?.GetValue<string>() == "mystery-model");
        foreach (var key in new[] { unlimited, MasterKey })
        {
            using var http = router.CreateClient(key);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", Hi("mystery"), Ct)).StatusCode);
        }

        // The operator was told at start, and /health/deployments says which deployment has no price.
        Assert.Contains("Routed models without a price (mystery on paid:mystery)", router.Output, StringComparison.Ordinal);
        using var admin = router.CreateClient(MasterKey);
        var cards = JsonNode.Parse(await admin.GetStringAsync("/health/deployments", Ct))!["deployments"]!.AsArray();
        Assert.False(cards.Single(c => c!["id"]!.GetValue<string>() == "paid:mystery")!["priced"]!.GetValue<bool>());
        // The loopback mock is a local provider: every model behind its pattern is priced (at 0 unless router.prices says).
        Assert.True(cards.Single(c => c!["id"]!.GetValue<string>() == "mock:budget/*")!["priced"]!.GetValue<bool>());
    }

    [Fact]
    public async Task With_unpriced_free_a_key_with_a_budget_is_served_an_unpriced_model_at_no_cost()
    {
        await using var router = await RouterProcess.StartAsync(Config());
        var key = await router.GenerateKeyAsync(MasterKey, new { max_budget = 5 }, Ct);
        using var http = router.CreateClient(key);
        await ErrorOf(await http.PostAsync("/v1/chat/completions", Hi("mystery"), Ct), HttpStatusCode.BadRequest);

        await router.RewriteConfigAsync(Config(unpriced: "free"));
        using (var admin = router.CreateClient(MasterKey))
            (await admin.PostAsync("/config/reload", null, Ct)).EnsureSuccessStatusCode();

        using var response = await http.PostAsync("/v1/chat/completions", Hi("mystery"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("0", response.Headers.GetValues("x-router-response-cost").Single());
        Assert.Contains("they cost 0 for every key (router.pricing.unpriced = free)", router.Output, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync() => await _mock.DisposeAsync();
}
