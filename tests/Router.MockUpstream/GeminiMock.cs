using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Router.MockUpstream;

/// <summary>
/// Google's Gemini API on a mock server, speaking the wire format of its public reference:
/// <c>POST {prefix}/v1beta/models/{model}:generateContent</c> (JSON) and <c>:streamGenerateContent?alt=sse</c>
/// (<c>data:</c> events ended by <c>\r\n\r\n</c>, no [DONE]), with Google's error body
/// <c>{"error":{"code","message","status"}}</c>. It is strict where a translation bug would show: the
/// key must come in <c>x-goog-api-key</c>, streaming needs <c>alt=sse</c>, and a turn's role must be
/// user or model. What it answers is chosen by the model name:
/// <list type="bullet">
/// <item><c>fail-400</c> (INVALID_ARGUMENT), <c>fail-429</c> (RESOURCE_EXHAUSTED): that error; <c>fail-echo-headers</c>: a 400 repeating the request's headers</item>
/// <item><c>safety-block</c>: 200 with <c>promptFeedback.blockReason</c> SAFETY and no candidates</item>
/// <item><c>safety-stop</c>: a candidate stopped with finishReason SAFETY and its safetyRatings</item>
/// <item><c>stream-error-mid</c>: streamed, two text events then an error event (503 UNAVAILABLE)</item>
/// <item>anything else: the answer <see cref="MockAnswer"/> plans, as text or functionCall parts</item>
/// </list>
/// </summary>
public static class GeminiMock
{
    // Google writes quotes and apostrophes as they are.
    private static readonly JsonSerializerOptions Wire = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(WebApplication app, string prefix, string? requiredKey, Action<HttpContext, JsonObject> record)
    {
        // A route template cannot hold "model:method" in one segment, so the whole segment is taken and split.
        app.MapPost($"{prefix}/v1beta/models/{{target}}", (HttpContext context, string target) => HandleAsync(context, target, requiredKey, record));
    }

    private static async Task HandleAsync(HttpContext context, string target, string? requiredKey, Action<HttpContext, JsonObject> record)
    {
        var colon = target.LastIndexOf(':');
        var model = colon > 0 ? target[..colon] : target;
        var method = colon > 0 ? target[(colon + 1)..] : "";
        if (method is not ("generateContent" or "streamGenerateContent"))
        {
            await ErrorAsync(context, 404, $"models/{target} is not found for API version v1beta, or is not supported for this method.", "NOT_FOUND");
            return;
        }
        if (requiredKey is not null && !KeyAccepted(context, requiredKey, out var keyError))
        {
            await keyError;
            return;
        }
        JsonObject body;
        try
        {
            body = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
        }
        catch (Exception e) when (e is JsonException or InvalidCastException or NullReferenceException)
        {
            await ErrorAsync(context, 400, "Invalid JSON payload received.", "INVALID_ARGUMENT");
            return;
        }
        record(context, body);

        var streaming = method == "streamGenerateContent";
        if (streaming && context.Request.Query["alt"] != "sse")
        {
            await ErrorAsync(context, 400, "This mock streams only as server-sent events: add alt=sse to the query.", "INVALID_ARGUMENT");
            return;
        }
        if (body["contents"] is not JsonArray contents || contents.Count == 0)
        {
            await ErrorAsync(context, 400, "* GenerateContentRequest.contents: contents is not specified", "INVALID_ARGUMENT");
            return;
        }
        if (contents.Any(c => c?["role"]?.GetValue<string>() is not ("user" or "model")))
        {
            await ErrorAsync(context, 400, "Please use a valid role: user, model.", "INVALID_ARGUMENT");
            return;
        }

        switch (model)
        {
            case EchoedHeaders.Model:
                await ErrorAsync(context, 400, EchoedHeaders.Of(context), "INVALID_ARGUMENT");
                return;
            case "fail-400":
                await ErrorAsync(context, 400, "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"", "INVALID_ARGUMENT");
                return;
            case "fail-429":
                await ErrorAsync(context, 429, "You exceeded your current quota, please check your plan and billing details.", "RESOURCE_EXHAUSTED",
                    new JsonArray(new JsonObject { ["@type"] = "type.googleapis.com/google.rpc.RetryInfo", ["retryDelay"] = "7s" }));
                return;
        }

        var lastUserText = LastUserText(contents);
        var answer = Plan(body, contents, lastUserText);
        var prompt = MockAnswer.PromptTokens(lastUserText);
        var ct = context.RequestAborted;
        try
        {
            if (!streaming)
            {
                await JsonAsync(context, 200, Response(model, answer, prompt));
                return;
            }
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/event-stream";
            await context.Response.StartAsync(ct);
            foreach (var data in Events(model, answer, prompt)) await EventAsync(context, data, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The router went away.
        }
    }

    /// <summary>No key: 403 PERMISSION_DENIED; a wrong one: 400 INVALID_ARGUMENT with reason API_KEY_INVALID, as Google answers.</summary>
    private static bool KeyAccepted(HttpContext context, string requiredKey, out Task error)
    {
        error = Task.CompletedTask;
        var key = context.Request.Headers["x-goog-api-key"].ToString();
        if (key == requiredKey) return true;
        error = key.Length == 0
            ? ErrorAsync(context, 403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", "PERMISSION_DENIED")
            : ErrorAsync(context, 400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT",
                new JsonArray(new JsonObject
                {
                    ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
                    ["reason"] = "API_KEY_INVALID",
                    ["domain"] = "googleapis.com",
                    ["metadata"] = new JsonObject { ["service"] = "generativelanguage.googleapis.com" },
                }));
        return false;
    }

    /// <summary>Reads the conversation from Gemini's format for <see cref="MockAnswer.Plan"/>.</summary>
    private static MockAnswer Plan(JsonObject body, JsonArray contents, string lastUserText)
    {
        var tools = new List<MockTool>();
        if (body["tools"] is JsonArray offered)
            foreach (var tool in offered)
                if (tool?["functionDeclarations"] is JsonArray declarations)
                    foreach (var declaration in declarations)
                        tools.Add(new MockTool(declaration!["name"]!.GetValue<string>(),
                            MockAnswer.FirstProperty(declaration["parametersJsonSchema"] ?? declaration["parameters"])));
        var toolsAllowed = body["toolConfig"]?["functionCallingConfig"]?["mode"]?.GetValue<string>() != "NONE";
        return MockAnswer.Plan(lastUserText, tools, LastToolResult(contents), toolsAllowed);
    }

    private static string LastUserText(JsonArray contents)
    {
        foreach (var content in contents.Reverse())
        {
            if (content?["role"]?.GetValue<string>() != "user" || content["parts"] is not JsonArray parts) continue;
            var texts = parts.Select(p => p?["text"]?.GetValue<string>()).Where(t => t is not null).ToList();
            if (texts.Count > 0) return string.Join(' ', texts);
        }
        return "";
    }

    /// <summary>The trailing functionResponse's <c>response.content</c> when it is a string, else its JSON text.</summary>
    private static string? LastToolResult(JsonArray contents)
    {
        var last = contents[^1];
        if (last?["role"]?.GetValue<string>() != "user" || last["parts"] is not JsonArray { Count: > 0 } parts) return null;
        if (parts[^1]?["functionResponse"]?["response"] is not JsonNode response) return null;
        return response["content"] is JsonValue content && content.TryGetValue<string>(out var text) ? text : response.ToJsonString(Wire);
    }

    private static JsonObject Response(string model, MockAnswer answer, int prompt) => model switch
    {
        "safety-block" => new JsonObject
        {
            ["promptFeedback"] = new JsonObject { ["blockReason"] = "SAFETY", ["safetyRatings"] = Ratings() },
            ["usageMetadata"] = new JsonObject { ["promptTokenCount"] = prompt, ["totalTokenCount"] = prompt },
            ["modelVersion"] = model,
        },
        "safety-stop" => Envelope(model, new JsonObject
        {
            ["finishReason"] = "SAFETY",
            ["index"] = 0,
            ["safetyRatings"] = Ratings(),
        }, Usage(prompt, 0)),
        _ => Envelope(model, Candidate(Parts(answer), "STOP"), Usage(prompt, answer.CompletionTokens)),
    };

    /// <summary>The stream: text one event per word, calls in one event, finishReason and usage on the last.</summary>
    private static IEnumerable<string> Events(string model, MockAnswer answer, int prompt)
    {
        switch (model)
        {
            case "safety-block" or "safety-stop":
                yield return Response(model, answer, prompt).ToJsonString(Wire);
                yield break;
            case "stream-error-mid":
                foreach (var piece in answer.Pieces.Concat(["…", "…"]).Take(2))
                    yield return Envelope(model, Candidate(new JsonArray(Text(piece)), null), null).ToJsonString(Wire);
                yield return """{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}""";
                yield break;
        }
        var usage = Usage(prompt, answer.CompletionTokens);
        if (answer.IsToolCall)
        {
            yield return Envelope(model, Candidate(Parts(answer), "STOP"), usage).ToJsonString(Wire);
            yield break;
        }
        var pieces = answer.Pieces.ToList();
        for (var i = 0; i < pieces.Count; i++)
        {
            var last = i == pieces.Count - 1;
            yield return Envelope(model, Candidate(new JsonArray(Text(pieces[i])), last ? "STOP" : null), last ? usage : null).ToJsonString(Wire);
        }
    }

    private static JsonArray Parts(MockAnswer answer) => answer.IsToolCall
        ? new JsonArray(answer.ToolCalls.Select(call => (JsonNode)new JsonObject
        {
            ["functionCall"] = new JsonObject { ["name"] = call.Name, ["args"] = call.Arguments.DeepClone() },
        }).ToArray())
        : new JsonArray(Text(answer.Text));

    private static JsonObject Text(string text) => new() { ["text"] = text };

    private static JsonObject Candidate(JsonArray parts, string? finishReason)
    {
        var candidate = new JsonObject { ["content"] = new JsonObject { ["parts"] = parts, ["role"] = "model" } };
        if (finishReason is not null) candidate["finishReason"] = finishReason;
        candidate["index"] = 0;
        return candidate;
    }

    private static JsonObject Envelope(string model, JsonObject candidate, JsonObject? usage)
    {
        var response = new JsonObject { ["candidates"] = new JsonArray(candidate) };
        if (usage is not null) response["usageMetadata"] = usage;
        response["modelVersion"] = model;
        response["responseId"] = "mock-gemini-response";
        return response;
    }

    private static JsonObject Usage(int prompt, int completion) => new()
    {
        ["promptTokenCount"] = prompt,
        ["candidatesTokenCount"] = completion,
        ["totalTokenCount"] = prompt + completion,
    };

    private static JsonArray Ratings() => new(
        new JsonObject { ["category"] = "HARM_CATEGORY_SEXUALLY_EXPLICIT", ["probability"] = "NEGLIGIBLE" },
        new JsonObject { ["category"] = "HARM_CATEGORY_HATE_SPEECH", ["probability"] = "NEGLIGIBLE" },
        new JsonObject { ["category"] = "HARM_CATEGORY_HARASSMENT", ["probability"] = "NEGLIGIBLE" },
        new JsonObject { ["category"] = "HARM_CATEGORY_DANGEROUS_CONTENT", ["probability"] = "HIGH", ["blocked"] = true });

    private static async Task EventAsync(HttpContext context, string data, CancellationToken ct)
    {
        await context.Response.WriteAsync($"data: {data}\r\n\r\n", ct);
        await context.Response.Body.FlushAsync(ct);
    }

    private static Task ErrorAsync(HttpContext context, int status, string message, string googleStatus, JsonArray? details = null)
    {
        var error = new JsonObject { ["code"] = status, ["message"] = message, ["status"] = googleStatus };
        if (details is not null) error["details"] = details;
        return JsonAsync(context, status, new JsonObject { ["error"] = error });
    }

    private static async Task JsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(body.ToJsonString(Wire), context.RequestAborted);
    }
}
