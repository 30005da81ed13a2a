using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Models.Messages;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests;

/// <summary>
/// <c>/v1/messages</c> to a provider of type anthropic goes natively: the request reaches Anthropic byte for byte but
/// for the model, with the client's <c>anthropic-version</c> and <c>anthropic-beta</c>; the answer and its events come
/// back byte for byte, blocks no translation knows included; the charge is Anthropic's usage with cache reads and
/// writes at their own prices. To other backends the request is bridged: mapped where it can be, refused by name where not.
/// </summary>
[Collection("gateway")]
public sealed class MessagesNativeTests(GatewayFixture gateway)
{
    private const string Model = "claude/" + AnthropicNativeAnswers.Model;
    private const string AnthropicPath = "/anthropic/v1/messages";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Everything Anthropic takes that OpenAI's shape cannot carry, with a real client's irregular spacing and escapes.</summary>
    private static string ExoticRequest(string model, bool stream, string user) => $$"""
        {  "max_tokens" : 4096,"model":"{{model}}", "stream": {{(stream ? "true" : "false")}},
           "system":[{"type":"text","text":"You cite sources.","cache_control":{"type":"ephemeral","ttl":"1h"} }],
           "thinking":{"type":"enabled","budget_tokens":1024}, "top_k": 40,
           "metadata":{"user_id":"{{user}}"},
           "tools":[{"name":"lookup","description":"Looks up.","input_schema":{"type":"object","properties":{"q":{"type":"string"} } },"cache_control":{"type":"ephemeral"} },
                    {"type":"web_search_20250305","name":"web_search","max_uses":2}],
           "messages":[{"role":"user","content":[
               {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQK"},"citations":{"enabled":true},"title":"tides.pdf"},
               {"type":"text","text":"When is high tide? \u00e9t\u00e9","cache_control":{"type":"ephemeral"} }]}],
           "some_future_field": {"x":[1, 2, 3]}
        }
        """;

    private async Task<(HttpResponseMessage Response, string Body)> SendAsync(string body, string beta = "interleaved-thinking-2025-05-14,files-api-2025-04-14")
    {
        using var http = gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        request.Headers.TryAddWithoutValidation("anthropic-beta", beta);
        var response = await http.SendAsync(request, Ct);
        return (response, await response.Content.ReadAsStringAsync(Ct));
    }

    private ReceivedRequest ReceivedFor(string user) =>
        gateway.Mock.Received.Last(r => r.Path == AnthropicPath && r.Body["metadata"]?["user_id"]?.GetValue<string>() == user);

    [Fact]
    public async Task The_request_reaches_Anthropic_byte_for_byte_but_for_the_model_and_the_answer_comes_back_byte_for_byte()
    {
        var user = "u-" + Guid.NewGuid().ToString("N");
        var body = ExoticRequest(Model, stream: false, user);

        var (response, answer) = await SendAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AnthropicNativeAnswers.Json, answer);
        var received = ReceivedFor(user);
        Assert.Equal(body.Replace($"\"{Model}\"", $"\"{AnthropicNativeAnswers.Model}\""), Encoding.UTF8.GetString(received.RawBody!));
        Assert.Equal("2023-06-01", received.Headers["anthropic-version"]);
        Assert.Equal("interleaved-thinking-2025-05-14,files-api-2025-04-14", received.Headers["anthropic-beta"]);
    }

    [Fact]
    public async Task The_event_stream_comes_back_byte_for_byte()
    {
        var user = "u-" + Guid.NewGuid().ToString("N");

        var (response, answer) = await SendAsync(ExoticRequest(Model, stream: true, user));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(string.Concat(AnthropicNativeAnswers.Events), answer);
        Assert.Equal("true", ReceivedFor(user).Body["stream"]!.ToJsonString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_charge_is_Anthropics_usage_with_cache_reads_and_writes_at_their_own_prices(bool stream)
    {
        var (response, _) = await SendAsync(ExoticRequest(Model, stream, "u-" + Guid.NewGuid().ToString("N")));

        const decimal expected = AnthropicNativeAnswers.InputTokens * 0.000003m + AnthropicNativeAnswers.CacheReadTokens * 0.0000003m
                                 + AnthropicNativeAnswers.CacheWriteTokens * 0.00000375m + AnthropicNativeAnswers.OutputTokens * 0.000015m;
        var requestId = response.Headers.GetValues("request-id").Single();
        var row = await LogRowAsync(requestId);
        Assert.Equal(expected, decimal.Parse(row["cost"]!.ToJsonString(), CultureInfo.InvariantCulture));
        Assert.Equal(AnthropicNativeAnswers.InputTokens + AnthropicNativeAnswers.CacheReadTokens + AnthropicNativeAnswers.CacheWriteTokens,
            row["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(AnthropicNativeAnswers.CacheReadTokens, row["cached_tokens"]!.GetValue<int>());
        Assert.Equal(AnthropicNativeAnswers.OutputTokens, row["completion_tokens"]!.GetValue<int>());
        Assert.False(row["estimated"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_Anthropic_SDK_streams_thinking_through_and_every_field_it_set_reaches_Anthropic()
    {
        var client = new AnthropicClient { ApiKey = GatewayFixture.MasterKey, BaseUrl = gateway.Router.BaseUrl, MaxRetries = 0 };
        var user = "u-" + Guid.NewGuid().ToString("N");
        var text = new StringBuilder();
        await foreach (var streamed in client.Messages.CreateStreaming(new MessageCreateParams
        {
            Model = "claude/claude-sonnet-4-5",
            MaxTokens = 2048,
            Thinking = new ThinkingConfigEnabled { BudgetTokens = 1024 },
            Metadata = new Metadata { UserID = user },
            Messages = [new UserMessageParam { Content = "Say hello." }],
        }, Ct))
        {
            if (streamed.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var piece)) text.Append(piece.Text);
        }

        Assert.NotEmpty(text.ToString());
        var received = ReceivedFor(user).Body;
        Assert.Equal("claude-sonnet-4-5", received["model"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"enabled","budget_tokens":1024}"""), received["thinking"]));
    }

    [Fact]
    public async Task Bridged_to_an_OpenAI_provider_thinking_becomes_reasoning_effort_and_top_k_is_refused_by_name()
    {
        var user = "u-" + Guid.NewGuid().ToString("N");
        var request = $$"""{"model":"mock/gpt-4o-mini","max_tokens":100,"thinking":{"type":"enabled","budget_tokens":3000},"metadata":{"user_id":"{{user}}"},"messages":[{"role":"user","content":"hi"}]}""";

        var (response, _) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = gateway.Mock.Received.Last(r => r.Path == "/v1/chat/completions" && r.Body["user"]?.GetValue<string>() == user).Body;
        Assert.Equal("high", received["reasoning_effort"]!.GetValue<string>());
        Assert.Null(received["thinking"]);

        var (refused, error) = await SendAsync("""{"model":"mock/gpt-4o-mini","max_tokens":100,"top_k":5,"container":"c","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var envelope = JsonNode.Parse(error)!;
        Assert.Equal("error", envelope["type"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", envelope["error"]!["type"]!.GetValue<string>());
        Assert.Equal("container", envelope["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task Count_tokens_is_Anthropics_count_for_an_Anthropic_route_and_the_tokenizers_estimate_elsewhere()
    {
        var client = new AnthropicClient { ApiKey = GatewayFixture.MasterKey, BaseUrl = gateway.Router.BaseUrl, MaxRetries = 0 };
        var counted = await client.Messages.CountTokens(new MessageCountTokensParams
        {
            Model = "claude/claude-sonnet-4-5",
            Messages = [new UserMessageParam { Content = "How many tokens is this?" }],
        }, Ct);
        Assert.True(counted.InputTokens > AnthropicMock.CountTokensOffset);
        var forwarded = gateway.Mock.Received.Last(r => r.Path == "/anthropic/v1/messages/count_tokens").Body;
        Assert.Equal("claude-sonnet-4-5", forwarded["model"]!.GetValue<string>());

        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/messages/count_tokens", new StringContent(
            """{"model":"mock/gpt-4o-mini","system":"Be brief.","messages":[{"role":"user","content":"How many tokens is this?"}]}""",
            Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("estimated", response.Headers.GetValues("x-router-token-count").Single());
        var estimate = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["input_tokens"]!.GetValue<int>();
        Assert.InRange(estimate, 10, 40);
    }

    private async Task<JsonObject> LogRowAsync(string requestId)
    {
        using var http = gateway.Http();
        for (var attempt = 0; ; attempt++)
        {
            var rows = JsonNode.Parse(await http.GetStringAsync($"/spend/logs?request_id={requestId}", Ct))!["data"]!.AsArray();
            if (rows.Count == 1) return rows[0]!.AsObject();
            if (attempt == 100) throw new TimeoutException($"No request log row for {requestId}.");
            await Task.Delay(100, Ct);
        }
    }
}
