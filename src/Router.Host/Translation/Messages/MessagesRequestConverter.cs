using System.Text.Json;
using Router.Host.Http;

namespace Router.Host.Translation.Messages;

/// <summary>
/// An Anthropic Messages request as the OpenAI chat request the router walks: <c>system</c> becomes the
/// first message, content blocks become parts, <c>tool_use</c> blocks an assistant's <c>tool_calls</c>,
/// <c>tool_result</c> blocks <c>tool</c> messages, and tools and <c>tool_choice</c> their OpenAI forms.
/// A stream always asks for usage, which Anthropic's closing events carry. Fields are mapped or refused as
/// <see cref="MessagesFields"/> says; <c>cache_control</c> marks are consumed (the chat providers cache prompts
/// on their own), as are an assistant's thinking blocks (their signatures verify only with the provider that made them).
/// </summary>
public static class MessagesRequestConverter
{
    /// <summary>The OpenAI request body and its model; a request that is not a valid Messages request throws a 400.</summary>
    /// <param name="target">What the target's chat API has of the fields only some take; null: all of them.</param>
    public static (byte[] Body, string Model) Convert(ReadOnlyMemory<byte> body, ChatTarget? target = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw Invalid($"The request body is not valid JSON: {e.Message}", code: "invalid_json");
        }
        using (document)
        {
            var request = document.RootElement;
            if (request.ValueKind != JsonValueKind.Object) throw Invalid("The request body must be a JSON object.", code: "invalid_json");
            var model = String(request, "model") ?? throw Invalid("model: Field required", "model");
            if (!request.TryGetProperty("max_tokens", out var maxTokens) || maxTokens.ValueKind != JsonValueKind.Number)
                throw Invalid("max_tokens: Field required", "max_tokens");
            if (!request.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
                throw Invalid("messages: Field required", "messages");
            target ??= ChatTarget.Default;
            MessagesFields.Check(request, target);
            return (TranslationJson.Write(json => WriteChatRequest(json, request, messages, target)), model);
        }
    }

    private static void WriteChatRequest(Utf8JsonWriter json, JsonElement request, JsonElement messages, ChatTarget target)
    {
        json.WriteStartObject();
        json.WriteString("model", String(request, "model"));
        json.WritePropertyName("messages");
        json.WriteStartArray();
        if (request.TryGetProperty("system", out var system)) WriteSystem(json, system);
        foreach (var message in messages.EnumerateArray()) WriteMessage(json, message);
        json.WriteEndArray();

        json.WriteNumber("max_tokens", request.GetProperty("max_tokens").GetInt64());
        Copy(json, request, "temperature");
        Copy(json, request, "top_p");
        Copy(json, request, "top_k");
        if (request.TryGetProperty("stop_sequences", out var stops)) { json.WritePropertyName("stop"); stops.WriteTo(json); }
        if (target.TakesUser && request.TryGetProperty("metadata", out var metadata) && String(metadata, "user_id") is { } user)
            json.WriteString("user", user);
        if (MessagesFields.ReasoningEffort(request) is { } effort) json.WriteString("reasoning_effort", effort);
        if (MessagesFields.ServiceTier(request) is { } tier) json.WriteString("service_tier", tier);
        if (request.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
        {
            json.WriteBoolean("stream", true);
            json.WriteStartObject("stream_options");
            json.WriteBoolean("include_usage", true);
            json.WriteEndObject();
        }
        if (request.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array) WriteTools(json, tools);
        if (request.TryGetProperty("tool_choice", out var choice) && choice.ValueKind == JsonValueKind.Object) WriteToolChoice(json, choice);
        json.WriteEndObject();
    }

    private static void WriteSystem(Utf8JsonWriter json, JsonElement system)
    {
        var text = system.ValueKind switch
        {
            JsonValueKind.String => system.GetString(),
            JsonValueKind.Array => string.Join("\n\n", system.EnumerateArray().Select(b => String(b, "text")).Where(t => t is not null)),
            JsonValueKind.Null => null,
            _ => throw Invalid("system: must be a string or an array of text blocks", "system"),
        };
        if (string.IsNullOrEmpty(text)) return;
        json.WriteStartObject();
        json.WriteString("role", "system");
        json.WriteString("content", text);
        json.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter json, JsonElement message)
    {
        var role = String(message, "role");
        if (role is not ("user" or "assistant")) throw Invalid("messages: each role must be 'user' or 'assistant'", "messages");
        if (!message.TryGetProperty("content", out var content)) throw Invalid("messages: each message needs content", "messages");
        if (content.ValueKind == JsonValueKind.String)
        {
            WriteTextMessage(json, role, content.GetString()!);
            return;
        }
        if (content.ValueKind != JsonValueKind.Array) throw Invalid("messages: content must be a string or an array of blocks", "messages");
        if (role == "assistant") WriteAssistant(json, content);
        else WriteUser(json, content);
    }

    private static void WriteTextMessage(Utf8JsonWriter json, string role, string text)
    {
        json.WriteStartObject();
        json.WriteString("role", role);
        json.WriteString("content", text);
        json.WriteEndObject();
    }

    /// <summary>Text blocks become the content, <c>tool_use</c> blocks the tool calls; thinking stays with the provider that made it.</summary>
    private static void WriteAssistant(Utf8JsonWriter json, JsonElement blocks)
    {
        var text = string.Concat(blocks.EnumerateArray().Where(b => String(b, "type") == "text").Select(b => String(b, "text")));
        var calls = blocks.EnumerateArray().Where(b => String(b, "type") == "tool_use").ToList();
        json.WriteStartObject();
        json.WriteString("role", "assistant");
        if (text.Length > 0 || calls.Count == 0) json.WriteString("content", text);
        else json.WriteNull("content");
        if (calls.Count > 0)
        {
            json.WriteStartArray("tool_calls");
            foreach (var call in calls)
                ChatToolCall.Write(json,
                    String(call, "id") ?? throw Invalid("tool_use: id is required", "messages"),
                    String(call, "name") ?? throw Invalid("tool_use: name is required", "messages"),
                    call.TryGetProperty("input", out var input) ? input.GetRawText() : "{}");
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    /// <summary>
    /// Tool results answer the assistant's calls, so they go first, as <c>tool</c> messages; the rest of
    /// the turn (text, images) follows as one user message.
    /// </summary>
    private static void WriteUser(Utf8JsonWriter json, JsonElement blocks)
    {
        foreach (var result in blocks.EnumerateArray().Where(b => String(b, "type") == "tool_result"))
        {
            json.WriteStartObject();
            json.WriteString("role", "tool");
            json.WriteString("tool_call_id", String(result, "tool_use_id") ?? throw Invalid("tool_result: tool_use_id is required", "messages"));
            var text = result.TryGetProperty("content", out var content) ? ToolResultText(content) : "";
            json.WriteString("content", result.TryGetProperty("is_error", out var isError) && isError.ValueKind == JsonValueKind.True
                ? "Error: " + text
                : text);
            json.WriteEndObject();
        }

        var parts = blocks.EnumerateArray().Where(b => String(b, "type") != "tool_result").ToList();
        if (parts.Count == 0) return;
        json.WriteStartObject();
        json.WriteString("role", "user");
        json.WriteStartArray("content");
        foreach (var part in parts) WritePart(json, part);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string ToolResultText(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Array => string.Concat(content.EnumerateArray().Where(b => String(b, "type") == "text").Select(b => String(b, "text"))),
        _ => "",
    };

    private static void WritePart(Utf8JsonWriter json, JsonElement block)
    {
        switch (String(block, "type"))
        {
            case "text":
                json.WriteStartObject();
                json.WriteString("type", "text");
                json.WriteString("text", String(block, "text") ?? "");
                json.WriteEndObject();
                break;
            case "image":
                json.WriteStartObject();
                json.WriteString("type", "image_url");
                json.WriteStartObject("image_url");
                json.WriteString("url", ImageUrl(block));
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case "document":
                WriteDocument(json, block);
                break;
            case var other:
                throw Invalid($"messages: content blocks of type '{other}' have no counterpart in the chat API this model's provider speaks",
                    "messages", "unsupported_content_block");
        }
    }

    /// <summary>A PDF as OpenAI's <c>file</c> part (inline data); a plain-text document as a text part. Other sources have no counterpart.</summary>
    private static void WriteDocument(Utf8JsonWriter json, JsonElement block)
    {
        var source = block.TryGetProperty("source", out var s) ? s : throw Invalid("document: source is required", "messages");
        json.WriteStartObject();
        switch (String(source, "type"))
        {
            case "base64" when String(source, "media_type") == "application/pdf":
                json.WriteString("type", "file");
                json.WriteStartObject("file");
                json.WriteString("filename", String(block, "title") ?? "document.pdf");
                json.WriteString("file_data", $"data:application/pdf;base64,{String(source, "data")}");
                json.WriteEndObject();
                break;
            case "text":
                json.WriteString("type", "text");
                json.WriteString("text", String(source, "data") ?? "");
                break;
            case var other:
                throw Invalid($"document: a source of type '{other}' ({String(source, "media_type")}) has no counterpart in the chat API this model's provider speaks",
                    "messages", "unsupported_content_block");
        }
        json.WriteEndObject();
    }

    private static string ImageUrl(JsonElement block)
    {
        if (!block.TryGetProperty("source", out var source)) throw Invalid("image: source is required", "messages");
        return String(source, "type") switch
        {
            "base64" => $"data:{String(source, "media_type")};base64,{String(source, "data")}",
            "url" => String(source, "url") ?? throw Invalid("image: source.url is required", "messages"),
            var other => throw Invalid($"image: source type '{other}' is not supported", "messages", "unsupported_content_block"),
        };
    }

    private static void WriteTools(Utf8JsonWriter json, JsonElement tools)
    {
        json.WriteStartArray("tools");
        foreach (var tool in tools.EnumerateArray())
        {
            // Anthropic's server tools (web search, code execution…) have a type and no input schema: only the provider runs them.
            if (!tool.TryGetProperty("input_schema", out var schema))
                throw Invalid($"tools: '{String(tool, "name")}' has no input_schema; Anthropic's server tools are not supported", "tools",
                    "unsupported_tool");
            json.WriteStartObject();
            json.WriteString("type", "function");
            json.WriteStartObject("function");
            json.WriteString("name", String(tool, "name") ?? throw Invalid("tools: name is required", "tools"));
            if (String(tool, "description") is { } description) json.WriteString("description", description);
            json.WritePropertyName("parameters");
            schema.WriteTo(json);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteToolChoice(Utf8JsonWriter json, JsonElement choice)
    {
        switch (String(choice, "type"))
        {
            case "auto": json.WriteString("tool_choice", "auto"); break;
            case "any": json.WriteString("tool_choice", "required"); break;
            case "none": json.WriteString("tool_choice", "none"); break;
            case "tool":
                json.WriteStartObject("tool_choice");
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", String(choice, "name") ?? throw Invalid("tool_choice: name is required", "tool_choice"));
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case var other: throw Invalid($"tool_choice: unknown type '{other}'", "tool_choice");
        }
        if (choice.TryGetProperty("disable_parallel_tool_use", out var single) && single.ValueKind == JsonValueKind.True)
            json.WriteBoolean("parallel_tool_calls", false);
    }

    private static void Copy(Utf8JsonWriter json, JsonElement request, string name)
    {
        if (!request.TryGetProperty(name, out var value)) return;
        json.WritePropertyName(name);
        value.WriteTo(json);
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static RouterError Invalid(string message, string? param = null, string code = "invalid_request") =>
        RouterError.InvalidRequest(message, param, code);
}
