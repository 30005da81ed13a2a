using System.Text.Json.Nodes;

namespace Router.MockUpstream;

/// <summary>
/// Anthropic's Messages API (<c>POST {prefix}/v1/messages</c>) as its public reference describes it: a
/// <c>message</c> object, or the SSE stream <c>message_start</c> … <c>message_stop</c> with <c>event:</c>
/// lines and a <c>ping</c>, and error bodies <c>{"type":"error","error":{"type","message"}}</c> with a
/// <c>request-id</c> header. It refuses what Anthropic refuses and a translation might get wrong: a
/// wrong or missing <c>x-api-key</c>, no <c>anthropic-version</c>, no <c>max_tokens</c>, a
/// <c>system</c> role among the messages. What it answers is chosen by the model name:
/// <list type="bullet">
/// <item><c>fail-400</c> invalid_request_error, <c>fail-429</c> rate_limit_error (retry-after: 7), <c>overloaded</c> 529 overloaded_error, <c>fail-echo-headers</c> 400 repeating the request's headers</item>
/// <item><c>stream-error-first</c>: a 200 stream whose first event is an overloaded_error</item>
/// <item><c>stream-error-mid</c>: message_start, two text deltas, then an overloaded_error event</item>
/// <item><c>native-exotic</c>: <see cref="AnthropicNativeAnswers"/>, blocks and events no translation knows</item>
/// <item><c>html-200</c>: a 200 whose body is an HTML page, as a misconfigured proxy in front of the API answers</item>
/// <item>anything else: the answer <see cref="MockAnswer"/> plans, as text or <c>tool_use</c> blocks</item>
/// </list>
/// </summary>
public static class AnthropicMock
{
    private static int _requests;

    public static void Map(WebApplication app, string prefix, string? requiredKey, Action<HttpContext, JsonObject> record)
    {
        app.MapPost($"{prefix}/v1/messages", context => HandleAsync(context, requiredKey, record));
        app.MapPost($"{prefix}/v1/messages/count_tokens", context => CountTokensAsync(context, requiredKey, record));
    }

    /// <summary>The token count of <c>/v1/messages/count_tokens</c>: the mock's count of the last user text, plus 1000 to tell it apart.</summary>
    public const int CountTokensOffset = 1000;

    private static async Task CountTokensAsync(HttpContext context, string? requiredKey, Action<HttpContext, JsonObject> record)
    {
        if (requiredKey is not null && context.Request.Headers["x-api-key"] != requiredKey)
        {
            await ErrorAsync(context, 401, "authentication_error", "invalid x-api-key");
            return;
        }
        if (await JsonNode.ParseAsync(context.Request.Body) is not JsonObject body || body["messages"] is not JsonArray messages)
        {
            await ErrorAsync(context, 400, "invalid_request_error", "messages: Field required");
            return;
        }
        record(context, body);
        await WriteJsonAsync(context, 200, new JsonObject { ["input_tokens"] = CountTokensOffset + MockAnswer.PromptTokens(LastUserText(messages)) });
    }

    private static async Task HandleAsync(HttpContext context, string? requiredKey, Action<HttpContext, JsonObject> record)
    {
        context.Response.Headers["request-id"] = $"req_mock_{Interlocked.Increment(ref _requests):D6}";
        if (requiredKey is not null && context.Request.Headers["x-api-key"] != requiredKey)
        {
            await ErrorAsync(context, 401, "authentication_error", "invalid x-api-key");
            return;
        }
        if (string.IsNullOrEmpty(context.Request.Headers["anthropic-version"]))
        {
            await ErrorAsync(context, 400, "invalid_request_error", "anthropic-version: header is required");
            return;
        }
        using var raw = new MemoryStream();
        await context.Request.Body.CopyToAsync(raw);
        context.Items[ReceivedRequest.RawBodyItem] = raw.ToArray(); // for tests that check bytes, not only fields
        raw.Position = 0;
        if (await JsonNode.ParseAsync(raw) is not JsonObject body)
        {
            await ErrorAsync(context, 400, "invalid_request_error", "The request body is not valid JSON.");
            return;
        }
        record(context, body);
        if (body["max_tokens"] is null)
        {
            await ErrorAsync(context, 400, "invalid_request_error", "max_tokens: Field required");
            return;
        }
        var messages = body["messages"] as JsonArray ?? [];
        if (messages.Any(m => Role(m) == "system"))
        {
            await ErrorAsync(context, 400, "invalid_request_error",
                "messages: Unexpected role \"system\". The Messages API accepts a top-level `system` parameter, not \"system\" as an input message role.");
            return;
        }

        var model = body["model"]?.GetValue<string>() ?? "";
        var ct = context.RequestAborted;
        try
        {
            switch (model)
            {
                case "fail-400":
                    await ErrorAsync(context, 400, "invalid_request_error", "temperature: range: 0..1");
                    return;
                case "fail-429":
                    context.Response.Headers.RetryAfter = "7";
                    await ErrorAsync(context, 429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit.");
                    return;
                case "overloaded":
                    await ErrorAsync(context, 529, "overloaded_error", "Overloaded");
                    return;
                case EchoedHeaders.Model:
                    await ErrorAsync(context, 400, "invalid_request_error", EchoedHeaders.Of(context));
                    return;
                case AnthropicNativeAnswers.Model:
                    await AnthropicNativeAnswers.WriteAsync(context, body["stream"]?.GetValue<bool>() == true, ct);
                    return;
                case "html-200":
                    context.Response.ContentType = "text/html";
                    await context.Response.WriteAsync("<html><body>Welcome to nginx!</body></html>", ct);
                    return;
            }
            var answer = Plan(body, messages);
            var inputTokens = MockAnswer.PromptTokens(LastUserText(messages));
            if (body["stream"]?.GetValue<bool>() == true) await StreamAsync(context, model, answer, inputTokens, ct);
            else await WriteJsonAsync(context, 200, Message(model, answer, inputTokens));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && ct.IsCancellationRequested)
        {
            // The router went away; nothing to answer.
        }
    }

    private static async Task StreamAsync(HttpContext context, string model, MockAnswer answer, int inputTokens, CancellationToken ct)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        await context.Response.StartAsync(ct);
        var overloaded = Error("overloaded_error", "Overloaded");
        if (model == "stream-error-first")
        {
            await EventAsync(context, overloaded, ct);
            return;
        }

        var start = Message(model, new MockAnswer([], []), inputTokens, stopReason: null);
        start["usage"]!["output_tokens"] = 1;
        await EventAsync(context, new JsonObject { ["type"] = "message_start", ["message"] = start }, ct);
        if (model == "stream-error-mid")
        {
            await EventAsync(context, BlockStart(0, new JsonObject { ["type"] = "text", ["text"] = "" }), ct);
            await EventAsync(context, Delta(0, new JsonObject { ["type"] = "text_delta", ["text"] = "Hello" }), ct);
            await EventAsync(context, Delta(0, new JsonObject { ["type"] = "text_delta", ["text"] = " there" }), ct);
            await EventAsync(context, overloaded, ct);
            return;
        }

        await EventAsync(context, new JsonObject { ["type"] = "ping" }, ct);
        var index = 0;
        if (!answer.IsToolCall)
        {
            await EventAsync(context, BlockStart(index, new JsonObject { ["type"] = "text", ["text"] = "" }), ct);
            foreach (var piece in answer.Pieces)
                await EventAsync(context, Delta(index, new JsonObject { ["type"] = "text_delta", ["text"] = piece }), ct);
            await EventAsync(context, new JsonObject { ["type"] = "content_block_stop", ["index"] = index }, ct);
            index++;
        }
        for (var i = 0; i < answer.ToolCalls.Count; i++)
        {
            var call = answer.ToolCalls[i];
            var block = new JsonObject { ["type"] = "tool_use", ["id"] = $"toolu_mock_{i}", ["name"] = call.Name, ["input"] = new JsonObject() };
            await EventAsync(context, BlockStart(index, block), ct);
            var arguments = call.ArgumentsJson;
            var half = arguments.Length / 2;
            foreach (var piece in new[] { arguments[..half], arguments[half..] })
                await EventAsync(context, Delta(index, new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece }), ct);
            await EventAsync(context, new JsonObject { ["type"] = "content_block_stop", ["index"] = index }, ct);
            index++;
        }
        await EventAsync(context, new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = StopReason(answer), ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = answer.CompletionTokens },
        }, ct);
        await EventAsync(context, new JsonObject { ["type"] = "message_stop" }, ct);
    }

    private static JsonObject BlockStart(int index, JsonObject block) =>
        new() { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = block };

    private static JsonObject Delta(int index, JsonObject delta) =>
        new() { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = delta };

    /// <summary>A complete <c>message</c> object; with <paramref name="stopReason"/> null, the empty one <c>message_start</c> carries.</summary>
    private static JsonObject Message(string model, MockAnswer answer, int inputTokens, string? stopReason = "")
    {
        var content = new JsonArray();
        if (answer.Words.Count > 0) content.Add(new JsonObject { ["type"] = "text", ["text"] = answer.Text });
        for (var i = 0; i < answer.ToolCalls.Count; i++)
        {
            var call = answer.ToolCalls[i];
            content.Add(new JsonObject
            {
                ["type"] = "tool_use", ["id"] = $"toolu_mock_{i}", ["name"] = call.Name, ["input"] = call.Arguments.DeepClone(),
            });
        }
        return new JsonObject
        {
            ["id"] = "msg_mock_01",
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = model,
            ["content"] = content,
            ["stop_reason"] = stopReason is null ? null : StopReason(answer),
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = inputTokens,
                ["cache_creation_input_tokens"] = 0,
                ["cache_read_input_tokens"] = 0,
                ["output_tokens"] = answer.CompletionTokens,
            },
        };
    }

    private static string StopReason(MockAnswer answer) => answer.IsToolCall ? "tool_use" : "end_turn";

    /// <summary>Reads the conversation from the Messages API format for <see cref="MockAnswer.Plan"/>.</summary>
    private static MockAnswer Plan(JsonObject body, JsonArray messages)
    {
        var tools = body["tools"] is JsonArray offered
            ? offered.Select(t => new MockTool(t!["name"]!.GetValue<string>(), MockAnswer.FirstProperty(t["input_schema"]))).ToList()
            : [];
        var toolsAllowed = body["tool_choice"]?["type"]?.GetValue<string>() != "none";
        // A tool result counts when it is the last block of the last turn.
        var lastBlock = messages.LastOrDefault()?["content"] is JsonArray blocks ? blocks.LastOrDefault() : null;
        var toolResult = lastBlock?["type"]?.GetValue<string>() == "tool_result" ? Text(lastBlock["content"]) : null;
        return MockAnswer.Plan(LastUserText(messages), tools, toolResult, toolsAllowed);
    }

    /// <summary>The text of the last user turn that has any (a turn of only tool results has none).</summary>
    private static string LastUserText(JsonArray messages)
    {
        foreach (var message in messages.Reverse())
        {
            if (Role(message) != "user") continue;
            switch (message!["content"])
            {
                case JsonValue text:
                    return text.GetValue<string>();
                case JsonArray blocks when blocks.Any(b => b?["type"]?.GetValue<string>() == "text"):
                    return Text(blocks);
            }
        }
        return "";
    }

    /// <summary>A string, or the text blocks of a block list joined by spaces.</summary>
    private static string Text(JsonNode? content) => content switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonArray blocks => string.Join(' ', blocks
            .Where(b => b?["type"]?.GetValue<string>() == "text")
            .Select(b => b!["text"]!.GetValue<string>())),
        _ => "",
    };

    private static string? Role(JsonNode? message) => message?["role"]?.GetValue<string>();

    private static JsonObject Error(string type, string message) =>
        new() { ["type"] = "error", ["error"] = new JsonObject { ["type"] = type, ["message"] = message } };

    private static Task ErrorAsync(HttpContext context, int status, string type, string message) =>
        WriteJsonAsync(context, status, Error(type, message));

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static async Task EventAsync(HttpContext context, JsonObject data, CancellationToken ct)
    {
        await context.Response.WriteAsync($"event: {data["type"]!.GetValue<string>()}\ndata: {data.ToJsonString()}\n\n", ct);
        await context.Response.Body.FlushAsync(ct);
    }
}
