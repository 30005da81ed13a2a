using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// Anthropic's own .NET SDK speaks to the router's <c>POST /v1/messages</c> and reaches every backend:
/// an OpenAI-compatible, an Anthropic and a Gemini upstream answer it in Anthropic's shapes, streamed or
/// not, with tools, and with the same words, tool calls and token counts the OpenAI SDK gets.
/// </summary>
[Collection("gateway")]
public sealed class MessagesApiTests(GatewayFixture gateway)
{
    private static readonly string[] Models = ["mock/gpt-4o-mini", "claude/claude-sonnet-4-5", "google/gemini-2.5-flash"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AnthropicClient Client(string key = GatewayFixture.MasterKey) =>
        new() { ApiKey = key, BaseUrl = gateway.Router.BaseUrl, MaxRetries = 0 };

    private static MessageCreateParams Ask(string model, string text, IReadOnlyList<ToolUnion>? tools = null) => new()
    {
        Model = model,
        MaxTokens = 256,
        System = "Be brief.",
        Messages = [new UserMessageParam { Content = text }],
        Tools = tools?.ToList(),
    };

    private static readonly ToolUnion[] WeatherTools =
    [
        new Tool
        {
            Name = "get_weather",
            Description = "The weather at a place.",
            InputSchema = new InputSchema
            {
                Properties = new Dictionary<string, JsonElement> { ["location"] = JsonSerializer.SerializeToElement(new { type = "string" }) },
                Required = ["location"],
            },
        },
    ];

    [Fact]
    public async Task A_caller_with_a_wrong_key_is_refused_before_its_body_is_read()
    {
        // Headers that promise 60 kB (under the fixture's 64 kB body limit), then a few bytes of it: a router
        // that read the body before the key would wait for the rest (Kestrel ends that wait with a 408).
        var router = new Uri(gateway.Router.BaseUrl);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(router.Host, router.Port, Ct);
        var stream = tcp.GetStream();
        var head = $"POST /v1/messages HTTP/1.1\r\nHost: {router.Authority}\r\nContent-Type: application/json\r\n" +
                   "Content-Length: 60000\r\nx-api-key: sk-not-a-key-of-this-router-0001\r\n\r\n{\"model\":";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var answer = Encoding.ASCII.GetString(buffer, 0, await stream.ReadAsync(buffer, timeout.Token));

        Assert.StartsWith("HTTP/1.1 401", answer);
        Assert.Contains("authentication_error", answer);
    }

    [Fact]
    public async Task Every_backend_answers_an_Anthropic_client_with_the_words_and_usage_the_OpenAI_client_gets()
    {
        foreach (var model in Models)
        {
            var expected = (await gateway.Sdk().GetChatClient(model).CompleteChatAsync(
                [new SystemChatMessage("Be brief."), new UserChatMessage("Lisbon in autumn")], cancellationToken: Ct)).Value;

            var message = await Client().Messages.Create(Ask(model, "Lisbon in autumn"), Ct);

            Assert.StartsWith("msg_", message.ID);
            Assert.Equal(expected.Content[0].Text, Assert.Single(TextsOf(message)));
            Assert.Equal(StopReason.EndTurn, message.StopReason!.Value());
            Assert.Equal(expected.Usage.InputTokenCount, message.Usage.InputTokens);
            Assert.Equal(expected.Usage.OutputTokenCount, message.Usage.OutputTokens);
        }
    }

    [Fact]
    public async Task A_streamed_answer_arrives_as_Anthropic_events_from_every_backend()
    {
        foreach (var model in Models)
        {
            var text = new System.Text.StringBuilder();
            var kinds = new List<string>();
            long? outputTokens = null;
            StopReason? stop = null;
            await foreach (var streamed in Client().Messages.CreateStreaming(Ask(model, "Porto by the river"), Ct))
            {
                if (streamed.TryPickStart(out _)) kinds.Add("message_start");
                else if (streamed.TryPickContentBlockStart(out _)) kinds.Add("content_block_start");
                else if (streamed.TryPickContentBlockDelta(out var delta))
                {
                    kinds.Add("content_block_delta");
                    if (delta.Delta.TryPickText(out var piece)) text.Append(piece.Text);
                }
                else if (streamed.TryPickContentBlockStop(out _)) kinds.Add("content_block_stop");
                else if (streamed.TryPickDelta(out var closing))
                {
                    kinds.Add("message_delta");
                    outputTokens = closing.Usage.OutputTokens;
                    stop = closing.Delta.StopReason?.Value();
                }
                else if (streamed.TryPickStop(out _)) kinds.Add("message_stop");
            }

            Assert.Equal("Porto by the river", text.ToString());
            Assert.Equal("message_start", kinds[0]);
            Assert.Equal(["content_block_stop", "message_delta", "message_stop"], kinds[^3..]);
            Assert.Equal(4, kinds.Count(k => k == "content_block_delta"));
            Assert.Equal(StopReason.EndTurn, stop);
            Assert.Equal(4, outputTokens);
        }
    }

    [Fact]
    public async Task A_tool_call_and_its_result_make_the_round_trip_from_every_backend()
    {
        foreach (var model in Models)
        {
            var first = await Client().Messages.Create(Ask(model, "Faro at noon", WeatherTools), Ct);
            Assert.Equal(StopReason.ToolUse, first.StopReason!.Value());
            Assert.True(Assert.Single(first.Content).TryPickToolUse(out var call), model);
            Assert.Equal("get_weather", call.Name);
            Assert.Equal("Faro at noon", call.Input["location"].GetString());

            var second = await Client().Messages.Create(new MessageCreateParams
            {
                Model = model,
                MaxTokens = 256,
                Tools = [.. WeatherTools],
                Messages =
                [
                    new UserMessageParam { Content = "Faro at noon" },
                    new AssistantMessageParam { Content = new List<ContentBlockParam> { new ToolUseBlockParam { ID = call.ID, Name = call.Name, Input = call.Input } } },
                    new UserMessageParam { Content = new List<ContentBlockParam> { new ToolResultBlockParam { ToolUseID = call.ID, Content = "sunny and warm" } } },
                ],
            }, Ct);
            Assert.Equal("The tool said: sunny and warm", Assert.Single(TextsOf(second)));
        }
    }

    [Fact]
    public async Task Refusals_come_back_as_Anthropic_errors_with_the_routers_details()
    {
        var wrongKey = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => Client("sk-not-a-key").Messages.Create(Ask("mock/gpt-4o-mini", "hi"), Ct));
        Assert.Contains("not valid", wrongKey.Message);

        using var http = gateway.Http(key: null);
        using var limited = await SendAsync(http, """{"model":"mock/fail-429-messages","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        var body = JsonNode.Parse(await limited.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("error", body["type"]!.GetValue<string>());
        Assert.Equal("rate_limit_error", body["error"]!["type"]!.GetValue<string>());
        Assert.Equal("provider", body["error"]!["origin"]!.GetValue<string>());
        Assert.Equal(limited.Headers.GetValues("request-id").Single(), body["request_id"]!.GetValue<string>());

        using var missing = await SendAsync(http, """{"model":"mock/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var missingBody = JsonNode.Parse(await missing.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("invalid_request_error", missingBody["error"]!["type"]!.GetValue<string>());
        Assert.Equal("max_tokens", missingBody["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_virtual_key_in_x_api_key_is_accepted_and_its_model_list_applies()
    {
        using var admin = gateway.Http();
        using var generated = await admin.PostAsync("/key/generate", Json("""{"models":["claude/*"]}"""), Ct);
        var key = JsonNode.Parse(await generated.Content.ReadAsStringAsync(Ct))!["key"]!.GetValue<string>();

        var message = await Client(key).Messages.Create(Ask("claude/claude-sonnet-4-5", "Braga"), Ct);
        Assert.Equal("Braga", Assert.Single(TextsOf(message)));
        var refused = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => Client(key).Messages.Create(Ask("mock/gpt-4o-mini", "Braga"), Ct));
        Assert.Contains("may not use the model", refused.Message);
    }

    private static List<string> TextsOf(Message message) =>
        message.Content.Select(block => block.TryPickText(out var text) ? text.Text : null).OfType<string>().ToList();

    private async Task<HttpResponseMessage> SendAsync(HttpClient http, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = Json(body) };
        request.Headers.Add("x-api-key", GatewayFixture.MasterKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        return await http.SendAsync(request, Ct);
    }
}
