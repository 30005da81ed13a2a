using System.Text.Json;

namespace Router.Host.Translation.Messages;

/// <summary>Complete answers in Anthropic's shapes: an OpenAI chat completion as a Message, an OpenAI error envelope as an Anthropic error.</summary>
public static class MessagesResponses
{
    /// <summary>A <c>chat.completion</c> as a Messages <c>message</c>: its first choice's text, reasoning and tool calls as blocks.</summary>
    public static byte[] Message(ReadOnlySpan<byte> completion)
    {
        using var document = JsonDocument.Parse(completion.ToArray());
        var root = document.RootElement;
        var choice = root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0 ? choices[0] : default;
        var message = choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("message", out var m) ? m : default;
        return TranslationJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", MessageId(Text(root, "id")));
            json.WriteString("type", "message");
            json.WriteString("role", "assistant");
            json.WriteString("model", Text(root, "model") ?? "");
            json.WriteStartArray("content");
            if (Text(message, "reasoning_content") is { Length: > 0 } thinking)
            {
                json.WriteStartObject();
                json.WriteString("type", "thinking");
                json.WriteString("thinking", thinking);
                json.WriteString("signature", "");
                json.WriteEndObject();
            }
            if ((Text(message, "content") ?? Text(message, "refusal")) is { Length: > 0 } text)
            {
                json.WriteStartObject();
                json.WriteString("type", "text");
                json.WriteString("text", text);
                json.WriteEndObject();
            }
            if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                foreach (var call in calls.EnumerateArray())
                {
                    var function = call.GetProperty("function");
                    json.WriteStartObject();
                    json.WriteString("type", "tool_use");
                    json.WriteString("id", Text(call, "id") ?? "");
                    json.WriteString("name", Text(function, "name") ?? "");
                    json.WritePropertyName("input");
                    WriteArguments(json, Text(function, "arguments"));
                    json.WriteEndObject();
                }
            json.WriteEndArray();
            json.WriteString("stop_reason", StopReason(Text(choice, "finish_reason")));
            json.WriteNull("stop_sequence");
            WriteUsage(json, root.TryGetProperty("usage", out var usage) ? usage : default);
            json.WriteEndObject();
        });
    }

    /// <summary>
    /// The router's error envelope as Anthropic's (<c>{"type":"error","error":{"type",…}}</c>), the type
    /// chosen by status as Anthropic does; the router's debugging fields (origin, provider, the upstream body) stay.
    /// </summary>
    public static byte[] Error(int status, ReadOnlySpan<byte> envelope)
    {
        using var document = JsonDocument.Parse(envelope.ToArray());
        var error = document.RootElement.GetProperty("error");
        return TranslationJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("type", "error");
            WriteError(json, status, error);
            if (Text(error, "request_id") is { } requestId) json.WriteString("request_id", requestId);
            json.WriteEndObject();
        });
    }

    public static void WriteError(Utf8JsonWriter json, int status, JsonElement error)
    {
        json.WriteStartObject("error");
        json.WriteString("type", ErrorType(status));
        foreach (var field in error.EnumerateObject())
        {
            if (field.NameEquals("type")) continue;
            field.WriteTo(json);
        }
        json.WriteEndObject();
    }

    public static string ErrorType(int status) => status switch
    {
        400 or 422 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        504 => "timeout_error",
        529 or 503 => "overloaded_error",
        _ => status >= 500 ? "api_error" : "invalid_request_error",
    };

    public static string? StopReason(string? finishReason) => finishReason switch
    {
        null => null,
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        _ => "end_turn",
    };

    /// <summary>Anthropic ids start <c>msg_</c>; the router's completion id carries the request id.</summary>
    public static string MessageId(string? completionId) =>
        "msg_" + (completionId is { } id && id.StartsWith("chatcmpl-", StringComparison.Ordinal) ? id["chatcmpl-".Length..] : completionId ?? "");

    /// <summary>Anthropic counts cached prompt tokens apart from <c>input_tokens</c>; OpenAI counts them in.</summary>
    public static void WriteUsage(Utf8JsonWriter json, JsonElement usage, bool outputOnly = false)
    {
        var prompt = Number(usage, "prompt_tokens");
        var cached = usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("prompt_tokens_details", out var details)
            ? Number(details, "cached_tokens")
            : 0;
        json.WriteStartObject("usage");
        if (!outputOnly || prompt > 0)
        {
            json.WriteNumber("input_tokens", prompt - cached);
            json.WriteNumber("cache_creation_input_tokens", 0);
            json.WriteNumber("cache_read_input_tokens", cached);
        }
        json.WriteNumber("output_tokens", Number(usage, "completion_tokens"));
        json.WriteEndObject();
    }

    /// <summary>Tool arguments as the JSON object Anthropic's <c>input</c> is; arguments that are not JSON are kept as a string field.</summary>
    private static void WriteArguments(Utf8JsonWriter json, string? arguments)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            json.WriteStartObject();
            json.WriteEndObject();
            return;
        }
        try
        {
            using var parsed = JsonDocument.Parse(arguments);
            parsed.RootElement.WriteTo(json);
        }
        catch (JsonException)
        {
            json.WriteStartObject();
            json.WriteString("arguments", arguments);
            json.WriteEndObject();
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static long Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetInt64()
            : 0;
}
