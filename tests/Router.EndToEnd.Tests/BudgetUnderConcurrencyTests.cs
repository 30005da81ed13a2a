using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// A key's budget is a cap under any concurrency, through a real router: 200 requests at once against one key, with
/// random choices, completion limits and hang-ups (mid-stream, at the end of a stream, before a JSON answer), where
/// every answer the provider gives is billed at the most its request allowed. The key ends at or under its budget,
/// and its spend is the sum of the request log's costs.
/// </summary>
public sealed class BudgetUnderConcurrencyTests : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-swarm-master-51c0e8a7d2-7e3c9";
    private const decimal MaxBudget = 2m;
    private const int Requests = 200;
    private const string Question = "one two three four five six seven eight";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // bill-max: billed its whole limit times n; stream-paced: a word every 300 ms; stream-hold-end: never ends;
    // delay-300: a JSON answer 300 ms late.
    private static readonly string[] Models = ["bill-max", "stream-paced", "stream-hold-end", "delay-300"];

    private MockOpenAiServer _mock = null!;
    private RouterProcess _router = null!;

    public async ValueTask InitializeAsync()
    {
        _mock = await MockOpenAiServer.StartAsync();
        _router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              cache.enabled = false
              providers { mock { type = openai-compatible, api-base = "{{_mock.ApiBase}}" } }
              models = [ { name = "swarm/*", provider = mock } ]
              prices { {{string.Join("\n", Models.Select(m => $"\"{m}\" {{ input-cost-per-token = 0.0001, output-cost-per-token = 0.0001 }}"))}} }
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _mock.DisposeAsync();
    }

    /// <summary>What became of one request, as its client saw it.</summary>
    private enum Outcome { Served, Capped, Refused, Left }

    [Fact]
    public async Task Two_hundred_requests_at_once_never_spend_past_the_budget_and_the_spend_is_the_logs()
    {
        var key = await _router.GenerateKeyAsync(MasterKey, new { key_alias = "swarm", max_budget = MaxBudget }, Ct);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var plans = Enumerable.Range(0, Requests).Select(_ => Plan.Draw(random)).ToList();
        // A client that hangs up: HttpClient would otherwise read the rest of a short answer to reuse the connection.
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 })
        {
            BaseAddress = new Uri(_router.BaseUrl), Timeout = TimeSpan.FromSeconds(60),
        };
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);

        var outcomes = new ConcurrentDictionary<string, Outcome>(StringComparer.Ordinal);
        var clients = plans.Select((plan, i) => Task.Run(async () => outcomes[$"swarm-{seed}-{i}"] = await SendAsync(http, plan, $"swarm-{seed}-{i}"), Ct));
        await Task.WhenAll(clients);

        // Every request the client saw answered is in the log; one it left may never have reached the router.
        var answered = outcomes.Where(o => o.Value != Outcome.Left).Select(o => o.Key).ToList();
        var (rows, logged, spend) = await SettledAsync(key, answered);
        var context = $"seed {seed}: {Count(Outcome.Served)} served, {Count(Outcome.Capped)} capped, {Count(Outcome.Refused)} refused, "
                      + $"{Count(Outcome.Left)} left; spend {spend}, logged {logged}";
        Assert.True(spend <= MaxBudget, context);
        Assert.True(spend == logged, context);
        // The budget bit and clients hung up. Whether one request had its limit lowered, or a hang-up was among the few
        // admitted before the budget ran out (and so charged an estimate), depends on the draw: EndedAnswerSpendTests and
        // BudgetCapTests assert those paths one by one.
        Assert.True(Count(Outcome.Refused) > 0 && Count(Outcome.Left) > 0, context);
        return;

        int Count(Outcome outcome) => outcomes.Values.Count(o => o == outcome);
    }

    /// <summary>One client's request: its model, choices, completion limit (and the field it is sent in), and when it hangs up.</summary>
    private sealed record Plan(string Model, int Choices, int Limit, string LimitField, TimeSpan? LeaveAfter)
    {
        public bool Streams => Model.StartsWith("stream-", StringComparison.Ordinal);

        public static Plan Draw(Random random)
        {
            var model = random.NextDouble() switch { < 0.5 => "bill-max", < 0.7 => "stream-paced", < 0.85 => "stream-hold-end", _ => "delay-300" };
            TimeSpan? leave = model switch
            {
                "stream-hold-end" => TimeSpan.FromMilliseconds(random.Next(0, 1_000)), // it never ends: every client hangs up
                "stream-paced" or "delay-300" when random.NextDouble() < 0.6 => TimeSpan.FromMilliseconds(random.Next(0, 3_000)),
                _ => null,
            };
            return new Plan(model, random.Next(1, 5), random.Next(16, 600), random.NextDouble() < 0.5 ? "max_tokens" : "max_completion_tokens", leave);
        }

        public string Body => $$"""
            {"model":"swarm/{{Model}}","n":{{Choices}},"{{LimitField}}":{{Limit}},"stream":{{(Streams ? "true" : "false")}},
             "messages":[{"role":"user","content":"{{Question}}"}]}
            """;
    }

    private static async Task<Outcome> SendAsync(HttpClient http, Plan plan, string requestId)
    {
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        if (plan.LeaveAfter is { } after) leave.CancelAfter(after);
        try
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(plan.Body) };
            request.Headers.Add("x-request-id", requestId);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, leave.Token);
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                var error = await ErrorOf(response, HttpStatusCode.BadRequest);
                Assert.Equal("budget_exceeded", error["code"]!.GetValue<string>());
                return Outcome.Refused;
            }
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync(leave.Token);
            return response.Headers.Contains("x-router-max-tokens-capped") ? Outcome.Capped : Outcome.Served;
        }
        catch (OperationCanceledException) when (leave.IsCancellationRequested && !Ct.IsCancellationRequested)
        {
            return Outcome.Left;
        }
    }

    /// <summary>
    /// The key's rows in the request log, their costs and the key's spend, once every answered request's row is written and
    /// every settlement is in (the spend is the logged sum), or after 30 s.
    /// </summary>
    private async Task<(List<JsonNode> Rows, decimal Logged, decimal Spend)> SettledAsync(string key, List<string> answered)
    {
        using var admin = _router.CreateClient(MasterKey);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(200, Ct))
        {
            var rows = JsonNode.Parse(await admin.GetStringAsync("/spend/logs?key=swarm&size=1000", Ct))!["data"]!.AsArray()
                .Select(r => r!).ToList();
            var logged = rows.Sum(r => r["cost"]!.GetValue<decimal>());
            var spend = (await _router.KeyInfoAsync(key, Ct))["spend"]!.GetValue<decimal>();
            var ids = rows.Select(r => r["request_id"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            if ((answered.All(ids.Contains) && spend == logged) || DateTime.UtcNow > deadline)
            {
                Assert.True(answered.All(ids.Contains), $"{answered.Count(id => !ids.Contains(id))} answered requests are not in the request log");
                return (rows, logged, spend);
            }
        }
    }
}
