using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The backlog alerts, grown for real: a router on PostgreSQL with its settlements confirmed
/// (<c>router.settlement.confirm = true</c>, a short timeout) and low backlog limits. PostgreSQL is stopped while a
/// budgeted key keeps being served: the request log's batches go to the outbox on the node's disk and each answer's
/// cost stays unconfirmed (the key's journal cannot write), so both backlogs pass their limits and
/// <c>request-log-backlog</c> and <c>settlement-backlog</c> are sent once each. PostgreSQL started again takes the
/// outbox and the settlements: <c>request-log-backlog-cleared</c> and <c>settlement-backlog-cleared</c> are sent once
/// each, and the key's spend holds every answer.
/// </summary>
public sealed class BacklogAlertsTests
{
    private const string MasterKey = "sk-e2e-backlog-alerts-master-6a2f8d4e1c";
    private const int Requests = 6;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Both_backlogs_growing_and_draining_are_sent_once_each()
    {
        await using var mock = await MockOpenAiServer.StartAsync(record: false);
        await using var postgres = await PostgresServer.StartNewAsync();
        await using var hooks = await WebhookReceiver.StartAsync(failFirst: 0);
        await using var router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              providers { mock { type = openai-compatible, api-base = "{{mock.ApiBase}}" } }
              models = [ { name = "paid", provider = mock, model = "echo-paid" } ]
              prices { "paid" { input-cost-per-token = 0.0001, output-cost-per-token = 0.0002 } }
              storage { provider = postgres, connection-string = "{{postgres.ConnectionString}}" }
              # Each answer is a new call, with a cost to confirm (a cached one costs nothing).
              cache.enabled = false
              request-log.batch-interval = 100ms
              settlement { confirm = true, timeout = 300ms, retry-interval = 200ms }
              alerts {
                sample-interval = 200ms
                hold-off = 0s
                request-log-backlog = 3
                settlement-backlog = 2
                targets = [ { name = generic, url = "{{hooks.Root}}/generic" } ]
              }
            """);
        var key = await router.GenerateKeyAsync(MasterKey, new { max_budget = 10 }, Ct);
        using var client = router.CreateClient(key);
        decimal answered = 0;

        await postgres.StopAsync();
        await EventAsync("storage-down");
        // Each answer is given once its settlement timed out; its cost waits in the settlement outbox, its rows in the request log's.
        for (var i = 0; i < Requests; i++)
        {
            using var answer = await client.PostAsync("/v1/chat/completions",
                new StringContent("""{"model":"paid","max_tokens":3,"messages":[{"role":"user","content":"one two three"}]}""", Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            answered += decimal.Parse(answer.Headers.GetValues("x-router-response-cost").Single(), System.Globalization.CultureInfo.InvariantCulture);
        }
        var requestLog = await EventAsync("request-log-backlog");
        var settlement = await EventAsync("settlement-backlog");
        Assert.Equal(("warning", "3"), ((string)requestLog["severity"]!, (string)requestLog["details"]!["limit"]!));
        Assert.True(int.Parse((string)settlement["details"]!["waiting"]!, System.Globalization.CultureInfo.InvariantCulture) > 2, settlement.ToJsonString());

        await postgres.StartAsync();
        await EventAsync("storage-up");
        var cleared = await EventAsync("request-log-backlog-cleared");
        await EventAsync("settlement-backlog-cleared");
        Assert.Equal(("info", "0"), ((string)cleared["severity"]!, (string)cleared["details"]!["waiting"]!));
        await Task.Delay(1000, Ct);

        string[] expected = ["storage-down", "request-log-backlog", "settlement-backlog", "storage-up", "request-log-backlog-cleared", "settlement-backlog-cleared"];
        Assert.Equal(expected.Order(), hooks.Received.Select(h => (string)JsonNode.Parse(h.Body)!["event"]!).Order());
        foreach (var hook in hooks.Received)
            foreach (var secret in new[] { MasterKey, key, postgres.Password })
                Assert.DoesNotContain(secret, hook.Body, StringComparison.Ordinal);

        // Nothing was lost on the way: the key's spend holds every answer's cost.
        using var admin = router.CreateClient(MasterKey);
        var info = JsonNode.Parse(await admin.GetStringAsync($"/key/info?key={Uri.EscapeDataString(key)}", Ct))!;
        Assert.Equal(answered, info["info"]!["spend"]!.GetValue<decimal>());

        async Task<JsonNode> EventAsync(string name)
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100, Ct))
                if (hooks.Received.Select(h => JsonNode.Parse(h.Body)!).FirstOrDefault(b => (string)b["event"]! == name) is { } body) return body;
            throw new TimeoutException($"'{name}' did not arrive; received: " +
                string.Join(", ", hooks.Received.Select(h => (string)JsonNode.Parse(h.Body)!["event"]!)) + "\n" + router.Output);
        }
    }
}
