using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// <c>router.settlement.confirm = true</c>: an answer is complete only once its cost is in the key's
/// journal, so a SIGKILL the moment the last answer arrived loses no spend, and nothing counts twice.
/// The test starts its own router (a data directory of its own), so the kill disturbs no other test.
/// </summary>
public sealed class ConfirmedSettlementTests : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-settle-master-6b1f0d2a9c-7e3c";
    private const int Rounds = 12;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MockOpenAiServer _mock = null!;
    private string _dataDir = null!;

    public async ValueTask InitializeAsync()
    {
        _mock = await MockOpenAiServer.StartAsync();
        _dataDir = Directory.CreateTempSubdirectory("router-e2e-settle-").FullName;
    }

    private string Config => $$"""
          master-key = "{{MasterKey}}"
          # Identical requests on purpose: each must reach the provider and be paid for.
          cache.enabled = false
          settlement { confirm = true, timeout = 30s, retry-interval = 500ms }
          providers { mock { type = openai-compatible, api-base = "{{_mock.ApiBase}}" } }
          models = [ { name = "budget/*", provider = mock } ]
          # A tenth of a cent per token, so a request's cost follows from its usage.
          prices { "budget/echo" { input-cost-per-token = 0.001, output-cost-per-token = 0.001 } }
        """;

    private const decimal PricePerToken = 0.001m;

    [Fact]
    public async Task Spend_of_every_answer_received_survives_a_SIGKILL_right_after_the_last_one()
    {
        string key;
        decimal[] costs;
        await using (var router = await RouterProcess.StartAsync(Config, _dataDir))
        {
            key = await router.GenerateKeyAsync(MasterKey, new { models = new[] { "budget/*" }, max_budget = 10 }, Ct);
            using var http = router.CreateClient(key);

            // JSON and streamed answers at once, so confirmations also wait for writes under way.
            costs = await Task.WhenAll(Enumerable.Range(0, Rounds).SelectMany(i => new[] { JsonCostAsync(http, i), StreamCostAsync(http, i) }));
            await router.KillAsync();
        }

        await using var restarted = await RouterProcess.StartAsync(Config, _dataDir);
        var info = await restarted.KeyInfoAsync(key, Ct);

        Assert.All(costs, cost => Assert.True(cost > 0));
        Assert.Equal(costs.Sum(), info["spend"]!.GetValue<decimal>());
        Assert.Equal(2 * Rounds, info["requests"]!.GetValue<long>());
    }

    [Fact]
    public async Task Requests_that_carry_the_same_x_request_id_each_count()
    {
        await using var router = await RouterProcess.StartAsync(Config, _dataDir);
        var key = await router.GenerateKeyAsync(MasterKey, new { models = new[] { "budget/*" }, max_budget = 10 }, Ct);
        using var http = router.CreateClient(key);
        // A key counts each settled request once: a caller's own id, sent twice, must not make the second free.
        http.DefaultRequestHeaders.Add("x-request-id", "client-chosen-id");

        var costs = new List<decimal>();
        for (var i = 0; i < 3; i++) costs.Add(await JsonCostAsync(http, i));

        var info = await router.KeyInfoAsync(key, Ct);
        Assert.Equal((3L, costs.Sum()), (info["requests"]!.GetValue<long>(), info["spend"]!.GetValue<decimal>()));
    }

    /// <summary>A JSON answer: complete once its body is read; its cost is in <c>x-router-response-cost</c>.</summary>
    private static async Task<decimal> JsonCostAsync(HttpClient http, int round)
    {
        using var response = await http.PostAsync("/v1/chat/completions", Request(round, stream: false), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return decimal.Parse(response.Headers.GetValues("x-router-response-cost").Single(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A streamed answer: complete, as an SDK sees it, at <c>[DONE]</c> (nothing after it is read); its
    /// cost follows from the usage chunk at the configured price.
    /// </summary>
    private static async Task<decimal> StreamCostAsync(HttpClient http, int round)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Request(round, stream: true) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        JsonNode? usage = null;
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            var data = line["data: ".Length..];
            if (data == "[DONE]")
            {
                Assert.NotNull(usage);
                return (usage["prompt_tokens"]!.GetValue<int>() + usage["completion_tokens"]!.GetValue<int>()) * PricePerToken;
            }
            if (JsonNode.Parse(data)?["usage"] is JsonObject reported) usage = reported;
        }
        throw new InvalidOperationException("The stream ended without [DONE]");
    }

    /// <summary>Prompts of different lengths, so the costs differ and a lost or doubled one shows in the sum.</summary>
    private static StringContent Request(int round, bool stream)
    {
        var streaming = stream ? "\"stream\":true,\"stream_options\":{\"include_usage\":true}," : "";
        var prompt = string.Join(' ', Enumerable.Repeat("hi", round + 1));
        return Json($$"""{"model":"budget/echo","max_tokens":5,{{streaming}}"messages":[{"role":"user","content":"{{prompt}}"}]}""");
    }

    public async ValueTask DisposeAsync()
    {
        await _mock.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}
