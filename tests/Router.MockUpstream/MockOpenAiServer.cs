using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Router.MockUpstream;

/// <summary>
/// An OpenAI-compatible provider on loopback, speaking the wire format of OpenAI's public API reference:
/// chat completions (JSON and SSE chunks, the include_usage chunk, [DONE]), legacy completions and
/// embeddings, and OpenAI's error bodies. What it does is chosen by the model name it receives, so a
/// test states the failure it wants in the request itself:
/// <list type="bullet">
/// <item><c>fail-400</c>, <c>fail-429</c> (Retry-After: 7; also <c>fail-429-anything</c>, a circuit of its own), <c>fail-500</c>: that status with OpenAI's error body</item>
/// <item><c>slow</c>: answers after 5 s (for first-byte timeouts)</item>
/// <item><c>die-mid-body</c>: a 200 whose JSON body is cut off by a connection reset</item>
/// <item><c>stream-error-first</c>: a 200 stream whose first event is an error</item>
/// <item><c>fail-echo-headers</c>: a 400 whose message repeats the request's headers, credentials included; <c>stream-error-echo-headers</c>: the
///   same as a stream's first event (<see cref="EchoedHeaders"/>)</item>
/// <item><c>stream-die</c>: two chunks, then the connection is cut</item>
/// <item><c>stream-cut-first</c>: a comment, then the connection is cut before any data</item>
/// <item><c>stream-stall</c>: one chunk, then silence (for stream-idle timeouts)</item>
/// <item><c>stream-wait-first</c>: a 200 stream that sends nothing until the client leaves (an answer not begun)</item>
/// <item><c>stream-paced</c>: a word every 300 ms (so a client can leave in the middle of the answer)</item>
/// <item><c>stream-hold-end</c>: the whole answer and its finish chunk, then nothing (no usage, no [DONE]) until the client leaves</item>
/// <item><c>no-usage</c>: answers, streamed or not, without any usage, as some OpenAI-compatible servers do</item>
/// <item><c>bill-max</c>: a JSON answer billed as the longest the request allows: its <c>max_completion_tokens</c> (or
///   <c>max_tokens</c>) for each of its <c>n</c> choices, the most a provider may charge for it</item>
/// <item><c>flaky-N-anything</c>: 500 for the first N calls of that exact name, then answers</item>
/// <item><c>rate-once-anything</c>: 429 with Retry-After: 1 on the first call of that name, then answers</item>
/// <item><c>delay-N</c>: answers after N milliseconds</item>
/// <item><c>context-too-long</c>, <c>content-policy</c>: OpenAI's 400 for a prompt over the context window, and for a content refusal</item>
/// <item>anything else: the answer <see cref="MockAnswer"/> plans (an echo of the last user message, or tool calls)</item>
/// </list>
/// </summary>
public sealed class MockOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _cancelledRequests;
    private int _streamsWaiting;

    private MockOpenAiServer(WebApplication app, string? requiredKey)
    {
        _app = app;
        RequiredKey = requiredKey;
    }

    /// <summary>Base URL to configure as a provider's api-base, ending in <c>/v1</c>.</summary>
    public string ApiBase { get; private set; } = "";

    /// <summary>The server's root URL; the Anthropic mock lives under <c>/anthropic/v1</c>, the Gemini mock under <c>/gemini/v1beta</c>.</summary>
    public string Root { get; private set; } = "";

    public string? RequiredKey { get; }

    /// <summary>Every request received (any dialect), newest last.</summary>
    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    /// <summary>What <c>GET /api/tags</c> lists, as a local Ollama does.</summary>
    public IReadOnlyList<string> OllamaModels { get; set; } = ["llama3.2:3b", "qwen2.5-coder:7b"];

    /// <summary><c>stream-wait-first</c> streams whose 200 and headers have been sent (the answer begun, no token yet).</summary>
    public int StreamsWaiting => Volatile.Read(ref _streamsWaiting);

    /// <summary>Requests whose client (the router) went away before the answer was complete.</summary>
    public int CancelledRequests => Volatile.Read(ref _cancelledRequests);

    public static async Task<MockOpenAiServer> StartAsync(string urls = "http://127.0.0.1:0", string? requiredKey = null, bool record = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new MockOpenAiServer(app, requiredKey);
        app.MapPost("/v1/chat/completions", context => server.HandleAsync(context, "chat", record));
        app.MapPost("/v1/completions", context => server.HandleAsync(context, "completions", record));
        app.MapPost("/v1/embeddings", context => server.HandleAsync(context, "embeddings", record));
        app.MapGet("/api/tags", context => WriteJsonAsync(context, server.Tags()));
        Action<HttpContext, JsonObject> recorder = record ? server.Record : (_, _) => { };
        AnthropicMock.Map(app, "/anthropic", requiredKey, recorder);
        GeminiMock.Map(app, "/gemini", requiredKey, recorder);
        ResponsesMock.Map(app, requiredKey, recorder);
        ModelListMocks.Map(app, requiredKey);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Root = address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
        server.ApiBase = server.Root + "/v1";
        return server;
    }

    private async Task HandleAsync(HttpContext context, string kind, bool record)
    {
        if (RequiredKey is not null && context.Request.Headers.Authorization != $"Bearer {RequiredKey}")
        {
            await ErrorAsync(context, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
            return;
        }
        var body = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
        if (record) Record(context, body);
        var model = body["model"]?.GetValue<string>() ?? "";
        var ct = context.RequestAborted;
        try
        {
            if (await FailsOnPurposeAsync(context, model, ct)) return;
            switch (model)
            {
                case "fail-400":
                    await ErrorAsync(context, 400, "Invalid value for 'temperature': must be between 0 and 2.", "invalid_request_error", "invalid_value", "temperature");
                    return;
                case var limited when limited.StartsWith("fail-429", StringComparison.Ordinal):
                    context.Response.Headers.RetryAfter = "7";
                    await ErrorAsync(context, 429, "Rate limit reached for requests.", "requests", "rate_limit_exceeded");
                    return;
                case EchoedHeaders.Model:
                    await ErrorAsync(context, 400, EchoedHeaders.Of(context), "invalid_request_error", "echo");
                    return;
                case "fail-500":
                    await ErrorAsync(context, 500, "The server had an error while processing your request.", "server_error", null);
                    return;
                case "slow":
                    await Task.Delay(TimeSpan.FromSeconds(5), ct);
                    break;
                case "die-mid-body":
                    // Promises 1000 bytes, sends a few, then cuts the connection.
                    context.Response.ContentType = "application/json";
                    context.Response.ContentLength = 1000;
                    await context.Response.WriteAsync("{\"id\":\"chatcmpl-", ct);
                    await context.Response.Body.FlushAsync(ct);
                    await Task.Delay(200, ct);
                    context.Abort();
                    return;
            }

            var stream = body["stream"]?.GetValue<bool>() == true;
            switch (kind)
            {
                case "embeddings":
                    await WriteJsonAsync(context, Embeddings(body, model));
                    return;
                case "completions" when !stream:
                    await WriteJsonAsync(context, Completion(model, Words(body["prompt"]?.ToString() ?? "")));
                    return;
                case "chat" when !stream:
                    var completion = ChatCompletion(model, body, Plan(body));
                    if (model == "no-usage") completion.Remove("usage");
                    if (model == "bill-max") completion["usage"] = Usage(PromptTokens(body), LongestCompletion(body));
                    await WriteJsonAsync(context, completion);
                    return;
                default:
                    await StreamAsync(context, kind, body, model, ct);
                    return;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref _cancelledRequests);
        }
        catch (IOException) when (ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref _cancelledRequests);
        }
    }

    private readonly ConcurrentDictionary<string, int> _callsByModel = new(StringComparer.Ordinal);

    /// <summary>The failures that depend on how often a name was called, or on its number.</summary>
    private async Task<bool> FailsOnPurposeAsync(HttpContext context, string model, CancellationToken ct)
    {
        var call = _callsByModel.AddOrUpdate(model, 1, (_, n) => n + 1);
        var parts = model.Split('-');
        if (parts is ["flaky", var n, ..] && int.TryParse(n, out var failures) && call <= failures)
        {
            await ErrorAsync(context, 500, $"Flaky failure {call} of {failures}.", "server_error", null);
            return true;
        }
        if (model.StartsWith("rate-once-", StringComparison.Ordinal) && call == 1)
        {
            context.Response.Headers.RetryAfter = "1";
            await ErrorAsync(context, 429, "Rate limit reached for requests.", "requests", "rate_limit_exceeded");
            return true;
        }
        if (parts is ["delay", var ms] && int.TryParse(ms, out var delay)) await Task.Delay(delay, ct);
        if (model == "context-too-long")
        {
            await ErrorAsync(context, 400,
                "This model's maximum context length is 128000 tokens. However, your messages resulted in 130112 tokens.",
                "invalid_request_error", "context_length_exceeded", "messages");
            return true;
        }
        if (model == "content-policy")
        {
            await ErrorAsync(context, 400, "Your request was rejected as a result of our safety system.", "invalid_request_error",
                "content_policy_violation");
            return true;
        }
        return false;
    }

    /// <summary>How many calls a model name has had.</summary>
    public int CallsOf(string model) => _callsByModel.GetValueOrDefault(model);

    private async Task StreamAsync(HttpContext context, string kind, JsonObject body, string model, CancellationToken ct)
    {
        var includeUsage = body["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        var answer = kind == "chat" ? Plan(body) : new MockAnswer(Words(body["prompt"]?.ToString() ?? ""), []);
        var words = answer.Words;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        await context.Response.StartAsync(ct);

        if (model == "stream-cut-first")
        {
            await context.Response.WriteAsync(": still thinking\n\n", ct);
            await context.Response.Body.FlushAsync(ct);
            await Task.Delay(200, ct);
            context.Abort();
            return;
        }

        if (model == "stream-wait-first")
        {
            await context.Response.Body.FlushAsync(ct);
            Interlocked.Increment(ref _streamsWaiting);
            await Task.Delay(Timeout.Infinite, ct);
        }

        if (model == EchoedHeaders.StreamModel)
        {
            var error = new JsonObject { ["error"] = new JsonObject { ["message"] = EchoedHeaders.Of(context), ["type"] = "server_error", ["code"] = 500 } };
            await EventAsync(context, error.ToJsonString(), ct);
            return;
        }
        if (model == "stream-error-first")
        {
            await EventAsync(context, """{"error":{"message":"The engine is currently overloaded, please try again later.","type":"server_error","code":503}}""", ct);
            return;
        }

        await EventAsync(context, Chunk(kind, model, role: true, content: "", finish: null, includeUsage), ct);
        for (var i = 0; i < answer.ToolCalls.Count; i++)
        {
            var call = answer.ToolCalls[i];
            var arguments = call.ArgumentsJson;
            var half = arguments.Length / 2;
            // As OpenAI streams a call: id and name first, then the arguments' JSON text in pieces.
            await EventAsync(context, ToolCallChunk(model, i, $"call_mock_{i}", call.Name, "", includeUsage), ct);
            await EventAsync(context, ToolCallChunk(model, i, null, null, arguments[..half], includeUsage), ct);
            await EventAsync(context, ToolCallChunk(model, i, null, null, arguments[half..], includeUsage), ct);
        }
        for (var i = 0; i < words.Count; i++)
        {
            if (model == "stream-die" && i == 2)
            {
                // Let what was sent reach the router first: an abort resets the connection and drops unsent bytes.
                await Task.Delay(200, ct);
                context.Abort();
                return;
            }
            if (model == "stream-stall" && i == 1)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            if (model == "stream-paced") await Task.Delay(300, ct);
            await EventAsync(context, Chunk(kind, model, role: false, content: (i == 0 ? "" : " ") + words[i], finish: null, includeUsage), ct);
        }
        await EventAsync(context, Chunk(kind, model, role: false, content: null, finish: answer.IsToolCall ? "tool_calls" : "stop", includeUsage), ct);
        if (model == "stream-hold-end") await Task.Delay(Timeout.Infinite, ct);
        if (includeUsage && model != "no-usage")
        {
            var usage = new JsonObject
            {
                ["id"] = "chatcmpl-mock",
                ["object"] = kind == "chat" ? "chat.completion.chunk" : "text_completion",
                ["created"] = Created,
                ["model"] = model,
                ["choices"] = new JsonArray(),
                ["usage"] = Usage(PromptTokens(body), answer.CompletionTokens),
            };
            await EventAsync(context, usage.ToJsonString(), ct);
        }
        await EventAsync(context, "[DONE]", ct);
    }

    private static string Chunk(string kind, string model, bool role, string? content, string? finish, bool includeUsage)
    {
        JsonObject choice;
        if (kind == "chat")
        {
            var delta = new JsonObject();
            if (role) delta["role"] = "assistant";
            if (content is not null) delta["content"] = content;
            choice = new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finish };
        }
        else
        {
            choice = new JsonObject { ["index"] = 0, ["text"] = content ?? "", ["logprobs"] = null, ["finish_reason"] = finish };
        }
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-mock",
            ["object"] = kind == "chat" ? "chat.completion.chunk" : "text_completion",
            ["created"] = Created,
            ["model"] = model,
            ["system_fingerprint"] = "fp_mock",
            ["choices"] = new JsonArray(choice),
        };
        // OpenAI sends "usage": null on every chunk but the last when include_usage is on.
        if (includeUsage) chunk["usage"] = null;
        return chunk.ToJsonString();
    }

    private void Record(HttpContext context, JsonObject body) =>
        Received.Enqueue(new ReceivedRequest(context.Request.Path + context.Request.QueryString, body,
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()))
        {
            RawBody = context.Items[ReceivedRequest.RawBodyItem] as byte[],
        });

    private static string ToolCallChunk(string model, int index, string? id, string? name, string arguments, bool includeUsage)
    {
        var call = new JsonObject { ["index"] = index };
        if (id is not null)
        {
            call["id"] = id;
            call["type"] = "function";
        }
        var function = new JsonObject { ["arguments"] = arguments };
        if (name is not null) function["name"] = name;
        call["function"] = function;
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-mock",
            ["object"] = "chat.completion.chunk",
            ["created"] = Created,
            ["model"] = model,
            ["system_fingerprint"] = "fp_mock",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0, ["delta"] = new JsonObject { ["tool_calls"] = new JsonArray(call) }, ["logprobs"] = null, ["finish_reason"] = null,
            }),
        };
        if (includeUsage) chunk["usage"] = null;
        return chunk.ToJsonString();
    }

    private static async Task EventAsync(HttpContext context, string data, CancellationToken ct)
    {
        await context.Response.WriteAsync($"data: {data}\n\n", ct);
        await context.Response.Body.FlushAsync(ct);
    }

    private static JsonObject ChatCompletion(string model, JsonObject body, MockAnswer answer) => new()
    {
        ["id"] = "chatcmpl-mock",
        ["object"] = "chat.completion",
        ["created"] = Created,
        ["model"] = model,
        ["system_fingerprint"] = "fp_mock",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = Message(answer),
            ["logprobs"] = null,
            ["finish_reason"] = answer.IsToolCall ? "tool_calls" : "stop",
        }),
        ["usage"] = Usage(PromptTokens(body), answer.CompletionTokens),
    };

    private static JsonObject Message(MockAnswer answer)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = answer.IsToolCall ? null : answer.Text, ["refusal"] = null };
        if (answer.IsToolCall)
            message["tool_calls"] = new JsonArray(answer.ToolCalls.Select((call, i) => (JsonNode)new JsonObject
            {
                ["id"] = $"call_mock_{i}",
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.ArgumentsJson },
            }).ToArray());
        return message;
    }

    /// <summary>Reads the conversation from OpenAI's chat format for <see cref="MockAnswer.Plan"/>.</summary>
    private static MockAnswer Plan(JsonObject body)
    {
        var tools = body["tools"] is JsonArray offered
            ? offered.Select(t => new MockTool(t!["function"]!["name"]!.GetValue<string>(), MockAnswer.FirstProperty(t["function"]!["parameters"]))).ToList()
            : [];
        var last = body["messages"] is JsonArray messages ? messages.LastOrDefault() : null;
        var toolResult = last?["role"]?.GetValue<string>() == "tool" ? Text(last["content"]) : null;
        var toolsAllowed = body["tool_choice"] is not JsonValue choice || choice.GetValue<string>() != "none";
        return MockAnswer.Plan(LastUserText(body), tools, toolResult, toolsAllowed);
    }

    private static JsonObject Completion(string model, List<string> words) => new()
    {
        ["id"] = "cmpl-mock",
        ["object"] = "text_completion",
        ["created"] = Created,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0, ["text"] = string.Join(' ', words), ["logprobs"] = null, ["finish_reason"] = "stop",
        }),
        ["usage"] = Usage(words.Count, words.Count),
    };

    private static JsonObject Embeddings(JsonObject body, string model)
    {
        var inputs = body["input"] is JsonArray array ? array.Select(i => i!.ToString()).ToList() : [body["input"]!.ToString()];
        var data = new JsonArray();
        for (var i = 0; i < inputs.Count; i++)
        {
            var vector = new JsonArray();
            foreach (var b in Encoding.UTF8.GetBytes(inputs[i].PadRight(8)).Take(8)) vector.Add(b / 255.0);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = vector });
        }
        var tokens = inputs.Sum(i => Words(i).Count);
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        };
    }

    // Ollama's /api/tags shape: { "models": [ { "name", "model", "modified_at", "size", "digest", "details" } ] }
    private JsonObject Tags() => new()
    {
        ["models"] = new JsonArray(OllamaModels.Select(name => (JsonNode)new JsonObject
        {
            ["name"] = name,
            ["model"] = name,
            ["modified_at"] = "2026-11-01T10:00:00.000000000Z",
            ["size"] = 2019393189,
            ["digest"] = "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
            ["details"] = new JsonObject { ["format"] = "gguf", ["family"] = "llama", ["parameter_size"] = "3.2B", ["quantization_level"] = "Q4_K_M" },
        }).ToArray()),
    };

    private static JsonObject Usage(int prompt, int completion) => new()
    {
        ["prompt_tokens"] = prompt,
        ["completion_tokens"] = completion,
        ["total_tokens"] = prompt + completion,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
    };

    /// <summary>The completion tokens a request allows at most: its limit for each of its choices.</summary>
    private static int LongestCompletion(JsonObject body) =>
        (body["max_completion_tokens"] ?? body["max_tokens"])!.GetValue<int>() * (body["n"]?.GetValue<int>() ?? 1);

    private static int PromptTokens(JsonObject body) => Words(LastUserText(body) is { Length: > 0 } text ? text : body["prompt"]?.ToString() ?? "").Count + 3;

    private static string LastUserText(JsonObject body)
    {
        if (body["messages"] is not JsonArray messages) return "";
        return Text(messages.LastOrDefault(m => m?["role"]?.GetValue<string>() == "user")?["content"]);
    }

    private static string Text(JsonNode? content)
    {
        return content switch
        {
            JsonValue value => value.GetValue<string>(),
            JsonArray parts => string.Join(' ', parts.Select(p => p?["text"]?.GetValue<string>()).Where(t => t is not null)),
            _ => "",
        };
    }

    private static List<string> Words(string text) => MockAnswer.SplitWords(text);

    private static long Created => 1_700_000_000;

    private static Task ErrorAsync(HttpContext context, int status, string message, string type, string? code, string? param = null)
    {
        context.Response.StatusCode = status;
        var error = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code };
        return WriteJsonAsync(context, new JsonObject { ["error"] = error }, status);
    }

    private static async Task WriteJsonAsync(HttpContext context, JsonObject body, int status = (int)HttpStatusCode.OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    /// <summary>Completes when the process is asked to stop (SIGTERM, Ctrl-C).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A request as the mock received it: path with query, body, and headers by lower-case name.</summary>
public sealed record ReceivedRequest(string Path, JsonObject Body, IReadOnlyDictionary<string, string> Headers)
{
    public const string RawBodyItem = "mock.raw-body";

    /// <summary>The body's bytes as received, where the endpoint keeps them (Anthropic's Messages).</summary>
    public byte[]? RawBody { get; init; }
}
