using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// Budgets and rate limits of virtual keys through a real router: exact under concurrency, durable
/// across a SIGKILL, and no provider secret in anything the router says. Each test starts its own
/// router (a data directory of its own), so a kill cannot disturb other tests.
/// </summary>
public sealed class KeyBudgetTests : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-budget-master-2f7d1c9e4b-7e3c";
    private const string ProviderSecret = "sk-planted-provider-secret-8c1e77f3a9d2";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MockOpenAiServer _mock = null!;
    private string _dataDir = null!;

    public async ValueTask InitializeAsync()
    {
        _mock = await MockOpenAiServer.StartAsync(requiredKey: ProviderSecret);
        _dataDir = Directory.CreateTempSubdirectory("router-e2e-budget-").FullName;
    }

    private string Config => $$"""
          master-key = "{{MasterKey}}"
          # These tests repeat identical requests on purpose; the cache has its own tests (CacheTests).
          cache.enabled = false
          providers { mock { type = openai-compatible, api-base = "{{_mock.ApiBase}}", api-key = "{{ProviderSecret}}" } }
          models = [ { name = "budget/*", provider = mock }, { name = "other/*", provider = mock } ]
          # A loopback provider is free unless priced: a tenth of a cent per token, so costs are easy to check.
          prices { "budget/echo" { input-cost-per-token = 0.001, output-cost-per-token = 0.001 } }
        """;

    private Task<RouterProcess> StartRouterAsync() => RouterProcess.StartAsync(Config, _dataDir);

    private static StringContent Hi() =>
        Json("""{"model":"budget/echo","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");

    [Fact]
    public async Task Two_hundred_concurrent_requests_never_spend_more_than_the_budget()
    {
        await using var router = await StartRouterAsync();
        // Reserved per request: 8 prompt tokens (o200k: "hi", the message framing and the reply priming) + max_tokens 5, at $0.001 = $0.013.
        // Spent per request: the mock reports 4 prompt + 1 completion tokens = $0.005.
        var key = await router.GenerateKeyAsync(MasterKey, new { models = new[] { "budget/*" }, max_budget = 0.05 }, Ct);
        using var http = router.CreateClient(key);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            using var response = await http.PostAsync("/v1/chat/completions", Hi(), Ct);
            if (response.StatusCode == HttpStatusCode.BadRequest)
                Assert.Equal("budget_exceeded", (await ErrorOf(response, HttpStatusCode.BadRequest))["code"]!.GetValue<string>());
            return response.StatusCode;
        }));

        var served = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.Equal(200, served + statuses.Count(s => s == HttpStatusCode.BadRequest));
        // At least the 3 reservations the budget holds at once; at most 8: the 8th is admitted at $0.035 spent, a 9th never.
        // (max_tokens 5 is below router.budgets.min-completion-tokens, so no request is lowered to fit.)
        Assert.InRange(served, 3, 8);
        // A single node settles by Tell once an answer has gone out: on a busy machine the last settlements
        // may reach the key's actor a moment after the client asks, so wait for them (never past the budget).
        var spend = 0m;
        for (var deadline = DateTime.UtcNow.AddSeconds(5); spend < served * 0.005m && DateTime.UtcNow < deadline; await Task.Delay(50, Ct))
            spend = (await router.KeyInfoAsync(key, Ct))["spend"]!.GetValue<decimal>();
        Assert.Equal(served * 0.005m, spend);
        Assert.True(spend <= 0.05m, $"spent {spend} of a 0.05 budget");
    }

    [Fact]
    public async Task Spend_shown_before_a_SIGKILL_is_there_after_the_restart()
    {
        string key;
        decimal spendBefore;
        long requestsBefore;
        await using (var router = await StartRouterAsync())
        {
            key = await router.GenerateKeyAsync(MasterKey, new { models = new[] { "budget/*" }, max_budget = 10 }, Ct);
            using var http = router.CreateClient(key);
            for (var i = 0; i < 25; i++) (await http.PostAsync("/v1/chat/completions", Hi(), Ct)).EnsureSuccessStatusCode();
            var before = await router.KeyInfoAsync(key, Ct);
            spendBefore = before["spend"]!.GetValue<decimal>();
            requestsBefore = before["requests"]!.GetValue<long>();
            await router.KillAsync();
        }

        await using var restarted = await StartRouterAsync();
        var after = await restarted.KeyInfoAsync(key, Ct);

        Assert.Equal(25 * 0.005m, spendBefore);
        Assert.Equal(spendBefore, after["spend"]!.GetValue<decimal>());
        Assert.Equal(requestsBefore, after["requests"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_key_over_its_requests_per_minute_gets_429_with_retry_after()
    {
        await using var router = await StartRouterAsync();
        var key = await router.GenerateKeyAsync(MasterKey, new { rpm_limit = 3 }, Ct);
        using var http = router.CreateClient(key);

        for (var i = 0; i < 3; i++) (await http.PostAsync("/v1/chat/completions", Hi(), Ct)).EnsureSuccessStatusCode();
        using var refused = await http.PostAsync("/v1/chat/completions", Hi(), Ct);

        var error = await ErrorOf(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal("key_rate_limited", error["code"]!.GetValue<string>());
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task No_output_of_the_router_contains_a_provider_secret_or_a_virtual_key()
    {
        await using var router = await StartRouterAsync();
        var key = await router.GenerateKeyAsync(MasterKey, new { models = new[] { "budget/*" }, max_budget = 1, key_alias = "ci" }, Ct);
        using var holder = router.CreateClient(key);
        using var admin = router.CreateClient(MasterKey);
        var outputs = new List<string>
        {
            await (await holder.PostAsync("/v1/chat/completions", Hi(), Ct)).Content.ReadAsStringAsync(Ct),
            await (await holder.PostAsync("/v1/chat/completions", Json("""{"model":"budget/fail-400","messages":[{"role":"user","content":"x"}]}"""), Ct)).Content.ReadAsStringAsync(Ct),
            await (await holder.PostAsync("/v1/chat/completions", Json("""{"model":"other/echo","messages":[{"role":"user","content":"x"}]}"""), Ct)).Content.ReadAsStringAsync(Ct),
            await holder.GetStringAsync("/v1/models", Ct),
            await holder.GetStringAsync("/key/info", Ct),
            await admin.GetStringAsync("/key/list", Ct),
            await admin.GetStringAsync("/health/deployments", Ct),
        };
        await router.KillAsync();
        outputs.Add(router.Output);

        Assert.All(outputs, output =>
        {
            Assert.DoesNotContain(ProviderSecret, output, StringComparison.Ordinal);
            Assert.DoesNotContain(key, output, StringComparison.Ordinal);
            Assert.DoesNotContain(MasterKey, output, StringComparison.Ordinal);
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _mock.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}
