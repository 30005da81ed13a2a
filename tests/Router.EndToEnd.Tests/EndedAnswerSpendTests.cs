using System.Net;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.Host.Pricing;
using Router.Host.Routing;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// Every token the provider billed is charged to the key: a stream the client leaves (before the first
/// token, mid-answer, or with the whole answer read but before <c>[DONE]</c>) and an answer from a
/// provider that reports no usage are charged for what they used, counted by the router and marked
/// <c>estimated</c> in the request log and in the key's spend. The provider's request is still cancelled at once.
/// </summary>
public sealed class EndedAnswerSpendTests : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-ended-master-6b1d93f0ce-7e3c9";
    private const string Question = "alpha bravo charlie delta echo foxtrot golf hotel";
    private const decimal InputPrice = 0.001m, OutputPrice = 0.002m;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Priced by the names sent upstream (a price is per model, not per route pattern).
    private static readonly string[] Models = ["stream-wait-first", "stream-paced", "stream-hold-end", "no-usage", "echo"];

    private MockOpenAiServer _mock = null!;
    private RouterProcess _router = null!;
    private string _key = null!;

    public async ValueTask InitializeAsync()
    {
        _mock = await MockOpenAiServer.StartAsync();
        _router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              cache.enabled = false
              providers { mock { type = openai-compatible, api-base = "{{_mock.ApiBase}}" } }
              models = [ { name = "spend/*", provider = mock } ]
              prices { {{string.Join("\n", Models.Select(m => $"\"{m}\" {{ input-cost-per-token = 0.001, output-cost-per-token = 0.002 }}"))}} }
            """);
        _key = await _router.GenerateKeyAsync(MasterKey, new { models = new[] { "spend/*" }, max_budget = 100 }, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _mock.DisposeAsync();
    }

    // As the router counts a prompt: o200k tokens of each message's text, 4 for each message's framing, 3 to prime the reply.
    private static int PromptTokens => 4 + TokenCounter.CountTokens(Question) + 3;

    private static int TokensOf(string text) => TokenCounter.CountTokens(text);

    [Fact]
    public async Task A_client_that_leaves_before_the_first_token_pays_for_the_prompt()
    {
        var cancelled = _mock.CancelledRequests;
        var id = await LeaveAsync("spend/stream-wait-first", readContent: 0);

        var row = await RowAsync(id);
        AssertEstimated(row, 499, PromptTokens, completion: 0);
        await UpstreamCancelledAsync(cancelled);
        await AssertKeySpendIsTheLogsAsync();
    }

    [Fact]
    public async Task A_client_that_leaves_mid_answer_pays_for_what_it_was_sent()
    {
        var cancelled = _mock.CancelledRequests;
        var id = await LeaveAsync("spend/stream-paced", readContent: 3);

        var row = await RowAsync(id);
        var completion = row["completion_tokens"]!.GetValue<int>();
        // At least the three words it read, at most the words the router relayed before it saw the client go.
        Assert.InRange(completion, TokensOf("alpha bravo charlie"), TokensOf(Question) - 1);
        AssertEstimated(row, 499, PromptTokens, completion);
        await UpstreamCancelledAsync(cancelled);
        await AssertKeySpendIsTheLogsAsync();
    }

    [Fact]
    public async Task A_client_that_reads_the_whole_answer_and_leaves_before_done_pays_for_all_of_it()
    {
        var cancelled = _mock.CancelledRequests;
        var id = await LeaveAsync("spend/stream-hold-end", readContent: 8, readFinish: true);

        var row = await RowAsync(id);
        AssertEstimated(row, 499, PromptTokens, TokensOf(Question));
        await UpstreamCancelledAsync(cancelled);
        await AssertKeySpendIsTheLogsAsync();
    }

    [Fact]
    public async Task A_provider_without_usage_is_charged_by_the_router_s_count_streamed_or_not()
    {
        using var http = _router.CreateClient(_key);
        using var json = await http.PostAsync("/v1/chat/completions", Json(Body("spend/no-usage", stream: false)), Ct);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        var jsonId = json.Headers.GetValues("x-request-id").Single();
        // The answer's cost header already holds the estimate: it is charged before the answer leaves.
        Assert.Equal(Cost(PromptTokens, TokensOf(Question)), decimal.Parse(json.Headers.GetValues("x-router-response-cost").Single(),
            System.Globalization.CultureInfo.InvariantCulture));

        using var stream = await http.PostAsync("/v1/chat/completions", Json(Body("spend/no-usage", stream: true)), Ct);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.EndsWith("data: [DONE]\n\n", await stream.Content.ReadAsStringAsync(Ct));
        var streamId = stream.Headers.GetValues("x-request-id").Single();

        AssertEstimated(await RowAsync(jsonId), 200, PromptTokens, TokensOf(Question));
        AssertEstimated(await RowAsync(streamId), 200, PromptTokens, TokensOf(Question));
        await AssertKeySpendIsTheLogsAsync();
    }

    [Fact]
    public async Task An_answer_with_the_provider_s_usage_is_not_an_estimate()
    {
        using var http = _router.CreateClient(_key);
        using var response = await http.PostAsync("/v1/chat/completions", Json(Body("spend/echo", stream: true)), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsStringAsync(Ct);

        var row = await RowAsync(response.Headers.GetValues("x-request-id").Single());
        Assert.False(row["estimated"]!.GetValue<bool>());
        // The mock counts a word as a token: its own figures, not the router's tokenizer.
        Assert.Equal(8, row["completion_tokens"]!.GetValue<int>());
    }

    private static string Body(string model, bool stream) =>
        $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{Question}}"}]}""";

    private static decimal Cost(int prompt, int completion) => prompt * InputPrice + completion * OutputPrice;

    /// <summary>
    /// Streams a request and leaves after <paramref name="readContent"/> content chunks (and the finish chunk, when
    /// asked), or, reading none, once the provider has it. Returns the request's id.
    /// </summary>
    private async Task<string> LeaveAsync(string model, int readContent, bool readFinish = false)
    {
        var id = "leave-" + Guid.NewGuid().ToString("N");
        // A client that hangs up: HttpClient would otherwise read the rest of a short answer to reuse the connection.
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(_router.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", _key);
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(Body(model, stream: true)) };
        request.Headers.Add("x-request-id", id);
        if (readContent == 0)
        {
            // Leaves once the provider has begun its answer (its 200 and headers sent): it has the prompt, and bills it.
            var before = _mock.StreamsWaiting;
            var sending = http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, leave.Token);
            for (var deadline = DateTime.UtcNow.AddSeconds(10); _mock.StreamsWaiting == before; await Task.Delay(20, Ct))
                Assert.True(DateTime.UtcNow < deadline, "the provider never began the answer");
            // The headers cross loopback to the router in well under this; only then has the router seen the answer begin.
            await Task.Delay(200, Ct);
            await leave.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
            return id;
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        var content = 0;
        var finished = false;
        while ((content < readContent || (readFinish && !finished)) && await reader.ReadLineAsync(Ct) is { } line)
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal)) continue;
            var choice = JsonNode.Parse(line[6..])!["choices"]![0]!;
            if (choice["delta"]?["content"]?.GetValue<string>() is { Length: > 0 }) content++;
            finished = choice["finish_reason"] is JsonValue;
        }
        Assert.Equal(readContent, content);
        return id; // disposing the response and the client hangs up
    }

    private async Task<JsonNode> RowAsync(string requestId)
    {
        using var admin = _router.CreateClient(MasterKey);
        for (var deadline = DateTime.UtcNow.AddSeconds(15); ; await Task.Delay(100, Ct))
        {
            var page = JsonNode.Parse(await admin.GetStringAsync($"/spend/logs?request_id={requestId}", Ct))!;
            if (page["data"]!.AsArray() is [{ } row]) return row;
            Assert.True(DateTime.UtcNow < deadline, $"request {requestId} never reached the request log");
        }
    }

    private static void AssertEstimated(JsonNode row, int status, int prompt, int completion)
    {
        Assert.True(status == row["status"]!.GetValue<int>() && row["estimated"]!.GetValue<bool>(), row.ToJsonString());
        Assert.Equal(prompt, row["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(completion, row["completion_tokens"]!.GetValue<int>());
        Assert.Equal(Cost(prompt, completion), row["cost"]!.GetValue<decimal>());
    }

    private async Task UpstreamCancelledAsync(int before)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); _mock.CancelledRequests == before; await Task.Delay(50, Ct))
            Assert.True(DateTime.UtcNow < deadline, "the provider's request was not cancelled");
    }

    /// <summary>The key's spend, and its estimated part, are the request log's costs to the cent (and below).</summary>
    private async Task AssertKeySpendIsTheLogsAsync()
    {
        using var admin = _router.CreateClient(MasterKey);
        var rows = JsonNode.Parse(await admin.GetStringAsync("/spend/logs?size=100", Ct))!["data"]!.AsArray()
            .Where(r => r!["key_id"] is not null && r["key_id"]!.GetValue<string>() != "master").ToList();
        var logged = rows.Sum(r => r!["cost"]!.GetValue<decimal>());
        var estimated = rows.Where(r => r!["estimated"]!.GetValue<bool>()).Sum(r => r!["cost"]!.GetValue<decimal>());
        var info = await _router.KeyInfoAsync(_key, Ct);
        Assert.Equal(logged, info["spend"]!.GetValue<decimal>());
        Assert.Equal(estimated, info["estimated_spend"]!.GetValue<decimal>());
    }
}
