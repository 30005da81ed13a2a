using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>A router whose request log is written every 200 ms, in front of one mock provider with prices.</summary>
public sealed class RequestLogFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-e2e-reqlog-master-3c9e1f7a2b-7e3c";

    /// <summary>The router { } body, for tests that start their own router.</summary>
    public static string Config(MockOpenAiServer mock) => $$"""
          master-key = "{{MasterKey}}"
          # Requests are repeated on purpose; the cache has its own tests (CacheTests).
          cache.enabled = false
          request-log { batch-interval = 200ms, retention = 30d }
          retry { base-delay = 20ms, max-delay = 50ms, budget-ratio = 1.0, budget-min-per-second = 1000 }
          breaker { consecutive-failures-to-open = 1000, minimum-calls-in-window = 1000000 }
          providers { mock { type = openai-compatible, api-base = "{{mock.ApiBase}}" } }
          models = [
            { name = "m", provider = mock, model = "echo-m" }
            { name = "paged", provider = mock, model = "echo-paged" }
            { name = "bad", provider = mock, model = "fail-400" }
            { name = "primary", provider = mock, model = "flaky-1000-primary", retries = 1, fallbacks = ["backup"] }
            { name = "backup", provider = mock, model = "echo-backup" }
          ]
          prices {
            "m"       { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 }
            "paged"   { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 }
            "bad"     { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 }
            "primary" { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 }
            "backup"  { input-cost-per-token = 0.000003, output-cost-per-token = 0.000004 }
          }
        """;

    public MockOpenAiServer Mock { get; private set; } = null!;
    public RouterProcess Router { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Mock = await MockOpenAiServer.StartAsync();
        Router = await RouterProcess.StartAsync(Config(Mock));
    }

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Mock.DisposeAsync();
    }
}

public sealed class RequestLogTests(RequestLogFixture fixture) : IClassFixture<RequestLogFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string id, string model, string text, bool stream = false)
    {
        var body = stream
            ? $$"""{"model":"{{model}}","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"{{text}}"}]}"""
            : $$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{text}}"}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(body) };
        request.Headers.Add("x-request-id", id);
        return await http.SendAsync(request, Ct);
    }

    /// <summary>Polls /spend/logs?{query} until it counts <paramref name="count"/> rows (then asserts exactly that many).</summary>
    private static async Task<JsonObject> LogsAsync(HttpClient http, string query, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using var response = await http.GetAsync("/spend/logs?" + query, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            var page = (JsonObject)JsonNode.Parse(text)!;
            if (page["total"]!.GetValue<long>() >= count || DateTime.UtcNow > deadline)
            {
                await Task.Delay(400, Ct); // one more batch interval: nothing more may arrive
                using var again = await http.GetAsync("/spend/logs?" + query, Ct);
                page = (JsonObject)JsonNode.Parse(await again.Content.ReadAsStringAsync(Ct))!;
                Assert.Equal(count, page["total"]!.GetValue<long>());
                return page;
            }
            await Task.Delay(100, Ct);
        }
    }

    private static decimal Cost(JsonNode usage, decimal input, decimal output) =>
        usage["prompt_tokens"]!.GetValue<int>() * input + usage["completion_tokens"]!.GetValue<int>() * output;

    [Fact]
    public async Task Each_request_has_a_row_with_its_tokens_cost_status_origin_attempts_and_upstream_error()
    {
        using var http = fixture.Router.CreateClient(RequestLogFixture.MasterKey);
        var run = Guid.NewGuid().ToString("N")[..8];

        using var ok1 = await SendAsync(http, $"{run}-ok1", "m", "one two three");
        using var ok2 = await SendAsync(http, $"{run}-ok2", "m", "four five");
        using var streamed = await SendAsync(http, $"{run}-stream", "m", "six seven eight nine", stream: true);
        using var bad = await SendAsync(http, $"{run}-bad", "bad", "ten");
        using var fellBack = await SendAsync(http, $"{run}-fallback", "primary", "eleven twelve");
        Assert.Equal(HttpStatusCode.OK, ok1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fellBack.StatusCode);
        var ok1Usage = JsonNode.Parse(await ok1.Content.ReadAsStringAsync(Ct))!["usage"]!;
        var fallbackUsage = JsonNode.Parse(await fellBack.Content.ReadAsStringAsync(Ct))!["usage"]!;
        var badBody = JsonNode.Parse(await bad.Content.ReadAsStringAsync(Ct))!["error"]!;
        await streamed.Content.ReadAsStringAsync(Ct);

        // Headers: overhead on every answer; the cost where it is known before the body starts (errors).
        foreach (var response in new[] { ok1, streamed, bad, fellBack })
            Assert.True(double.TryParse(response.Headers.GetValues("x-router-overhead-ms").Single(), NumberStyles.Float,
                CultureInfo.InvariantCulture, out var overhead) && overhead >= 0);
        Assert.Equal("0", bad.Headers.GetValues("x-router-response-cost").Single());

        var rows = new Dictionary<string, JsonObject>();
        foreach (var name in new[] { "ok1", "ok2", "stream", "bad", "fallback" })
            rows[name] = (JsonObject)(await LogsAsync(http, $"request_id={run}-{name}", 1))["data"]![0]!;
        // Exactly these rows: nothing else of this run (e.g. a row per attempt in the requests table).
        Assert.Equal(5, (await AllRowsAsync(http)).Count(r => r["request_id"]!.GetValue<string>().StartsWith(run, StringComparison.Ordinal)));

        var one = rows["ok1"];
        Assert.Equal(200, one["status"]!.GetValue<int>());
        Assert.Equal("master", one["key_id"]!.GetValue<string>());
        Assert.Equal("m", one["requested_model"]!.GetValue<string>());
        Assert.Equal("m", one["routed_model"]!.GetValue<string>());
        Assert.Equal("mock", one["provider"]!.GetValue<string>());
        Assert.Equal(ok1Usage["prompt_tokens"]!.GetValue<int>(), one["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(3, one["completion_tokens"]!.GetValue<int>());
        Assert.Equal(Cost(ok1Usage, 0.000001m, 0.000002m), one["cost"]!.GetValue<decimal>());
        Assert.Null(one["error_origin"]);
        Assert.Null(one["ttft_ms"]);
        Assert.Null(one["upstream_error"]);
        Assert.Equal(1, one["attempts"]!.GetValue<int>());
        Assert.False(one["cache_hit"]!.GetValue<bool>());
        Assert.True(one["latency_ms"]!.GetValue<double>() >= one["overhead_ms"]!.GetValue<double>());

        var stream = rows["stream"];
        Assert.Equal(200, stream["status"]!.GetValue<int>());
        Assert.Equal(4, stream["completion_tokens"]!.GetValue<int>());
        Assert.True(stream["cost"]!.GetValue<decimal>() > 0);
        var ttft = stream["ttft_ms"]!.GetValue<double>();
        Assert.InRange(ttft, 0.001, stream["latency_ms"]!.GetValue<double>());

        var failed = rows["bad"];
        Assert.Equal(400, failed["status"]!.GetValue<int>());
        Assert.Equal(400, failed["upstream_status"]!.GetValue<int>());
        Assert.Equal("provider", failed["error_origin"]!.GetValue<string>());
        Assert.Equal(0, failed["cost"]!.GetValue<decimal>());
        Assert.Equal(1, failed["attempts"]!.GetValue<int>());
        Assert.Equal(badBody["upstream_body"]!.ToJsonString(), failed["upstream_error"]!.ToJsonString());
        Assert.Equal("Invalid value for 'temperature': must be between 0 and 2.",
            failed["upstream_error"]!["error"]!["message"]!.GetValue<string>());
        Assert.Equal("caller_error", failed["attempt_log"]![0]!["verdict"]!.GetValue<string>());

        var fallback = rows["fallback"];
        Assert.Equal(200, fallback["status"]!.GetValue<int>());
        Assert.Equal("primary", fallback["requested_model"]!.GetValue<string>());
        Assert.Equal("backup", fallback["routed_model"]!.GetValue<string>());
        Assert.Equal(3, fallback["attempts"]!.GetValue<int>());
        Assert.Null(fallback["error_origin"]);
        Assert.Equal(Cost(fallbackUsage, 0.000003m, 0.000004m), fallback["cost"]!.GetValue<decimal>());
        var attempts = fallback["attempt_log"]!.AsArray();
        Assert.Equal([500, 500, 200], attempts.Select(a => a!["status"]!.GetValue<int>()));
        Assert.Equal(["retry", "retry", "final"], attempts.Select(a => a!["verdict"]!.GetValue<string>()));
        Assert.Equal("provider", attempts[0]!["error_origin"]!.GetValue<string>());
    }

    [Fact]
    public async Task Filters_paging_csv_and_the_report_work_and_only_the_master_key_may_read()
    {
        using var http = fixture.Router.CreateClient(RequestLogFixture.MasterKey);
        var run = Guid.NewGuid().ToString("N")[..8];
        var from = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O", CultureInfo.InvariantCulture);
        for (var i = 0; i < 5; i++)
        {
            using var response = await SendAsync(http, $"{run}-p{i}", "paged", "paged words here");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using (var bad = await SendAsync(http, $"{run}-bad", "bad", "x")) Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var fromQuery = "from=" + Uri.EscapeDataString(from);
        await LogsAsync(http, $"model=paged&{fromQuery}", 5);

        // Newest first, two a page.
        var p1 = await LogsAsync(http, $"model=paged&{fromQuery}&size=2&page=1", 5);
        var p3 = await LogsAsync(http, $"model=paged&{fromQuery}&size=2&page=3", 5);
        Assert.Equal(2, p1["data"]!.AsArray().Count);
        Assert.Equal($"{run}-p0", Assert.Single(p3["data"]!.AsArray())!["request_id"]!.GetValue<string>());
        Assert.Equal(2, p1["size"]!.GetValue<int>());
        Assert.Equal(1, p1["page"]!.GetValue<int>());

        await LogsAsync(http, $"status=400&model=bad&request_id={run}-bad", 1);
        await LogsAsync(http, $"status=200&model=bad&{fromQuery}", 0);
        await LogsAsync(http, $"provider=mock&model=paged&{fromQuery}", 5);
        await LogsAsync(http, $"provider=nobody&{fromQuery}", 0);
        await LogsAsync(http, $"key=master&model=paged&{fromQuery}", 5);
        await LogsAsync(http, $"model=paged&to=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O", CultureInfo.InvariantCulture)), 0);

        // CSV: a header row and one line per request, parsing back to the same fields.
        using var csvResponse = await http.GetAsync($"/spend/logs?model=paged&{fromQuery}&format=csv", Ct);
        Assert.Equal(HttpStatusCode.OK, csvResponse.StatusCode);
        Assert.StartsWith("text/csv", csvResponse.Content.Headers.ContentType!.ToString());
        var csv = ParseCsv(await csvResponse.Content.ReadAsStringAsync(Ct));
        Assert.Equal(6, csv.Count);
        Assert.Equal("time", csv[0][0]);
        var index = Array.IndexOf(csv[0], "request_id");
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{run}-p{i}").Order(), csv.Skip(1).Select(r => r[index]).Order());
        Assert.All(csv, r => Assert.Equal(csv[0].Length, r.Length));
        // The provider's error body (commas, quotes) survives as one field.
        using var badCsv = await http.GetAsync($"/spend/logs?request_id={run}-bad&format=csv", Ct);
        var badRows = ParseCsv(await badCsv.Content.ReadAsStringAsync(Ct));
        Assert.Equal(2, badRows.Count);
        var upstreamError = JsonNode.Parse(badRows[1][Array.IndexOf(badRows[0], "upstream_error")])!;
        Assert.Equal("invalid_value", upstreamError["error"]!["code"]!.GetValue<string>());

        // The report, grouped by model, over this run's time.
        var report = await http.GetFromJsonAsync<JsonObject>($"/spend/report?group_by=model&{fromQuery}", Ct);
        var paged = report!["data"]!.AsArray().Single(r => r!["group"]?.GetValue<string>() == "paged")!;
        Assert.Equal(5, paged["requests"]!.GetValue<long>());
        Assert.Equal(0, paged["errors"]!.GetValue<long>());
        Assert.True(paged["cost"]!.GetValue<decimal>() > 0);
        Assert.True(paged["p50_latency_ms"]!.GetValue<double>() > 0);
        var badGroup = report["data"]!.AsArray().Single(r => r!["group"]?.GetValue<string>() == "bad")!;
        Assert.True(badGroup["errors"]!.GetValue<long>() >= 1);

        // Errors in the router's envelope.
        using (var wrongSize = await http.GetAsync("/spend/logs?size=1001", Ct))
            Assert.Equal("size", (await ErrorOf(wrongSize, HttpStatusCode.BadRequest))["param"]!.GetValue<string>());
        using (var wrongGroup = await http.GetAsync("/spend/report?group_by=colour", Ct))
            Assert.Equal("group_by", (await ErrorOf(wrongGroup, HttpStatusCode.BadRequest))["param"]!.GetValue<string>());
        using (var wrongTime = await http.GetAsync("/spend/logs?from=yesterday", Ct))
            await ErrorOf(wrongTime, HttpStatusCode.BadRequest);
        using var anonymous = fixture.Router.CreateClient(null);
        using (var noKey = await anonymous.GetAsync("/spend/logs", Ct)) await ErrorOf(noKey, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_sigterm_right_after_the_last_answers_loses_no_row()
    {
        await using var mock = await MockOpenAiServer.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("router-e2e-reqlog-stop-").FullName;
        try
        {
            // A batch interval far longer than the test: only the flush on stop can write the rows.
            var config = RequestLogFixture.Config(mock).Replace("batch-interval = 200ms", "batch-interval = 10m", StringComparison.Ordinal);
            await using (var router = await RouterProcess.StartAsync(config, dataDir))
            {
                using var http = router.CreateClient(RequestLogFixture.MasterKey);
                for (var i = 0; i < 20; i++)
                {
                    using var response = await SendAsync(http, $"stop-{i}", i % 4 == 3 ? "bad" : "m", "four words right here");
                    Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.BadRequest);
                }
                using (var before = await http.GetAsync("/spend/logs", Ct))
                    Assert.Equal(0, JsonNode.Parse(await before.Content.ReadAsStringAsync(Ct))!["total"]!.GetValue<long>());

                router.Terminate();
                Assert.Equal(0, await router.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            }

            await using (var again = await RouterProcess.StartAsync(RequestLogFixture.Config(mock), dataDir))
            {
                using var http = again.CreateClient(RequestLogFixture.MasterKey);
                var page = await http.GetFromJsonAsync<JsonObject>("/spend/logs?size=100", Ct);
                Assert.Equal(20, page!["total"]!.GetValue<long>());
                Assert.Equal(Enumerable.Range(0, 20).Select(i => $"stop-{i}").Order(),
                    page["data"]!.AsArray().Select(r => r!["request_id"]!.GetValue<string>()).Order());
                Assert.Equal(5, page["data"]!.AsArray().Count(r => r!["status"]!.GetValue<int>() == 400));
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<List<JsonObject>> AllRowsAsync(HttpClient http)
    {
        var page = await http.GetFromJsonAsync<JsonObject>("/spend/logs?size=1000", Ct);
        return page!["data"]!.AsArray().Select(r => (JsonObject)r!).ToList();
    }

    /// <summary>An RFC 4180 reader, independent of the router's writer.</summary>
    [Fact]
    public async Task Each_answer_tells_its_cost_and_what_the_keys_budget_has_left()
    {
        using var admin = fixture.Router.CreateClient(RequestLogFixture.MasterKey);
        using var generated = await admin.PostAsJsonAsync("/key/generate", new { models = new[] { "m", "bad" }, max_budget = 1 }, Ct);
        var secret = JsonNode.Parse(await generated.Content.ReadAsStringAsync(Ct))!["key"]!.GetValue<string>();
        using var http = fixture.Router.CreateClient(secret);
        var run = Guid.NewGuid().ToString("N")[..8];

        using var first = await SendAsync(http, $"{run}-1", "m", "one two three");
        using var second = await SendAsync(http, $"{run}-2", "m", "four five six seven");
        using var streamed = await SendAsync(http, $"{run}-3", "m", "eight", stream: true);
        await streamed.Content.ReadAsStringAsync(Ct);
        using var bad = await SendAsync(http, $"{run}-4", "bad", "nine");

        var firstCost = Cost(JsonNode.Parse(await first.Content.ReadAsStringAsync(Ct))!["usage"]!, 0.000001m, 0.000002m);
        var secondCost = Cost(JsonNode.Parse(await second.Content.ReadAsStringAsync(Ct))!["usage"]!, 0.000001m, 0.000002m);
        Assert.True(firstCost > 0 && secondCost > 0);
        Assert.Equal(firstCost, Header(first, "x-router-response-cost"));
        Assert.Equal(1m - firstCost, Header(first, "x-router-key-remaining"));
        Assert.Equal(secondCost, Header(second, "x-router-response-cost"));
        Assert.Equal(1m - firstCost - secondCost, Header(second, "x-router-key-remaining"));
        // A stream's headers leave before its cost is known: what the key had left before it, and no cost.
        Assert.Equal(1m - firstCost - secondCost, Header(streamed, "x-router-key-remaining"));
        Assert.False(streamed.Headers.Contains("x-router-response-cost"));
        var streamedCost = (await LogsAsync(admin, $"request_id={run}-3", 1))["data"]![0]!["cost"]!.GetValue<decimal>();
        Assert.True(streamedCost > 0);
        // A refusal by the provider costs nothing, and the budget is where the stream left it.
        Assert.Equal(0m, Header(bad, "x-router-response-cost"));
        Assert.Equal(1m - firstCost - secondCost - streamedCost, Header(bad, "x-router-key-remaining"));
        // The header and the log agree.
        Assert.Equal(firstCost, (await LogsAsync(admin, $"request_id={run}-1", 1))["data"]![0]!["cost"]!.GetValue<decimal>());
    }

    private static decimal Header(HttpResponseMessage response, string name) =>
        decimal.Parse(response.Headers.GetValues(name).Single(), NumberStyles.Number, CultureInfo.InvariantCulture);

    internal static List<string[]> ParseCsv(string csv)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
                i++;
            }
            else field.Append(c);
        }
        if (field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); records.Add([.. fields]); }
        return records;
    }
}
