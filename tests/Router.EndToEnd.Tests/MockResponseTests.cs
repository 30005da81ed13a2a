using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;
using static Router.EndToEnd.Tests.ErrorTests;
using static Router.EndToEnd.Tests.Fixtures.LiteLlmFieldsFixture;

namespace Router.EndToEnd.Tests;

/// <summary>
/// LiteLLM's <c>mock_response</c>: the router answers with the given text as the provider would have (JSON or a stream), and
/// the provider is never called; the request is free, logged as mocked, and still the key's to make.
/// </summary>
[Collection("litellm")]
public sealed class MockResponseTests(LiteLlmFieldsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Mocked = "This is a mock answer.";

    private async Task<(HttpResponseMessage Response, string Text)> PostAsync(string body, string path = "/v1/chat/completions", string? key = null)
    {
        using var http = fixture.Router.CreateClient(key ?? MasterKey);
        var response = await http.PostAsync(path, Json(body), Ct);
        return (response, await response.Content.ReadAsStringAsync(Ct));
    }

    private int ReceivedOf(string upstreamModel) => fixture.Mock.Received.Count(r => r.Body["model"]?.GetValue<string>() == upstreamModel);

    /// <summary>The events of an SSE body, which must end with <c>[DONE]</c>.</summary>
    private static List<JsonNode> Events(string sse)
    {
        var data = sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim()).ToList();
        Assert.All(data, e => Assert.StartsWith("data: ", e));
        Assert.Equal("data: [DONE]", data[^1]);
        return data.SkipLast(1).Select(e => JsonNode.Parse(e["data: ".Length..])!).ToList();
    }

    [Fact]
    public async Task The_SDK_gets_the_mocked_text_as_an_answer_and_as_a_stream_the_provider_is_never_called_and_the_log_says_mocked()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var chat = fixture.Chat("priced"); // a priced model: a real answer would cost something
        var fields = new[] { ("mock_response", $"\"{Mocked}\""), ("tags", $"[\"mock-{run}\"]") };

        ChatCompletion answer = await chat.CompleteChatAsync([new UserChatMessage("what would you say?")], Extra(fields), Ct);
        var streamed = new StringBuilder();
        ChatTokenUsage? streamedUsage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("and streamed?")], Extra(fields), Ct))
        {
            foreach (var part in update.ContentUpdate) streamed.Append(part.Text);
            streamedUsage ??= update.Usage;
        }

        Assert.Equal(Mocked, answer.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, answer.FinishReason);
        Assert.Equal(Mocked, streamed.ToString());
        // Counted with the router's tokenizer (o200k): the answer's text, and the prompt with its framing.
        Assert.Equal(6, answer.Usage.OutputTokenCount);
        Assert.True(answer.Usage.InputTokenCount > 5, $"{answer.Usage.InputTokenCount} prompt tokens");
        Assert.Equal(6, streamedUsage?.OutputTokenCount);
        Assert.Equal(0, ReceivedOf("echo-priced"));

        var rows = await fixture.LogsAsync($"tag=mock-{run}", 2);
        Assert.All(rows, row =>
        {
            Assert.True(row!["mocked"]!.GetValue<bool>());
            Assert.Equal(200, row["status"]!.GetValue<int>());
            Assert.Equal(0m, row["cost"]!.GetValue<decimal>());
            Assert.Equal(6, row["completion_tokens"]!.GetValue<int>());
            Assert.Null(row["provider"]);
            Assert.Equal(0, row["attempts"]!.GetValue<int>());
        });
        Assert.Single(rows, row => row!["ttft_ms"] is not null); // the streamed one
    }

    [Fact]
    public async Task Raw_chat_and_completions_answers_are_free_and_streams_end_with_done()
    {
        var (json, jsonText) = await PostAsync(Body("priced", $"\"mock_response\":\"{Mocked}\""));
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("0", json.Headers.GetValues("x-router-response-cost").Single());
        var body = JsonNode.Parse(jsonText)!;
        Assert.Equal("chat.completion", body["object"]!.GetValue<string>());
        Assert.Equal("priced", body["model"]!.GetValue<string>());

        var (stream, streamText) = await PostAsync(Body("priced", $"\"stream\":true,\"mock_response\":\"{Mocked}\""));
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        var chunks = Events(streamText);
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        Assert.Equal(Mocked, string.Concat(chunks.Select(c => c["choices"]![0]!["delta"]!["content"]?.GetValue<string>())));

        var (completion, completionText) = await PostAsync($$"""{"model":"priced","prompt":"say","mock_response":"{{Mocked}}"}""", "/v1/completions");
        Assert.Equal(HttpStatusCode.OK, completion.StatusCode);
        Assert.Equal("text_completion", JsonNode.Parse(completionText)!["object"]!.GetValue<string>());
        Assert.Equal(Mocked, JsonNode.Parse(completionText)!["choices"]![0]!["text"]!.GetValue<string>());

        var (_, completionStream) = await PostAsync(
            $$"""{"model":"priced","prompt":"say","stream":true,"stream_options":{"include_usage":true},"mock_response":"{{Mocked}}"}""",
            "/v1/completions");
        var events = Events(completionStream);
        Assert.Equal(Mocked, string.Concat(events.SelectMany(e => e["choices"]!.AsArray()).Select(c => c!["text"]!.GetValue<string>())));
        Assert.Equal(6, events[^1]["usage"]!["completion_tokens"]!.GetValue<int>());

        Assert.Equal(0, ReceivedOf("echo-priced"));
    }

    [Fact]
    public async Task A_mocked_request_still_needs_a_valid_key_allowed_the_model_and_within_its_rate_limit()
    {
        var mock = $"\"mock_response\":\"{Mocked}\"";
        var (anonymous, _) = await PostAsync(Body("priced", mock), key: "sk-not-a-key");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var key = await fixture.Router.GenerateKeyAsync(MasterKey, new { models = new[] { "priced" }, rpm_limit = 2 }, Ct);
        var (forbidden, _) = await PostAsync(Body("mock/not-allowed", mock), key: key);
        Assert.Equal("model_not_allowed", (await ErrorOf(forbidden, HttpStatusCode.Forbidden))["code"]!.GetValue<string>());
        var (first, _) = await PostAsync(Body("priced", mock), key: key);
        var (second, _) = await PostAsync(Body("priced", mock), key: key);
        var (third, _) = await PostAsync(Body("priced", mock), key: key);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal("key_rate_limited", (await ErrorOf(third, HttpStatusCode.TooManyRequests))["code"]!.GetValue<string>());
        Assert.Equal(0, fixture.Mock.CallsOf("not-allowed"));
        Assert.Equal(0, ReceivedOf("echo-priced"));
    }
}
