using System.Text.Json;
using Router.Host.Http;

namespace Router.Host.Translation.Responses;

/// <summary>
/// What becomes of each top-level field of a Responses request bridged to a chat API: mapped to its chat field,
/// consumed by the router (state, echo-only fields), or refused with a 400 that names it.
/// </summary>
public static class ResponsesFields
{
    /// <summary>The router acts on these itself: the conversation's state, the stream, and fields it only echoes back.</summary>
    private static readonly HashSet<string> Consumed =
    [
        "model", "input", "instructions", "stream", "store", "previous_response_id", "metadata", "include",
        // A cache-routing hint for OpenAI's own prompt cache: the chat providers cache on their own.
        "prompt_cache_key",
    ];

    private static readonly HashSet<string> Mapped =
    [
        "tools", "tool_choice", "max_output_tokens", "temperature", "top_p", "reasoning", "text", "parallel_tool_calls", "user",
        "safety_identifier", "service_tier", "truncation",
    ];

    /// <summary>Tools only OpenAI runs: a bridged provider cannot.</summary>
    private static readonly HashSet<string> BuiltInTools =
    [
        "web_search", "web_search_preview", "web_search_preview_2025_03_11", "file_search", "code_interpreter", "computer_use_preview",
        "computer_use", "image_generation", "mcp", "local_shell", "shell", "apply_patch",
    ];

    public static void Check(JsonElement request)
    {
        foreach (var field in request.EnumerateObject())
            if (!Consumed.Contains(field.Name) && !Mapped.Contains(field.Name))
                throw Refused(field.Name, $"'{field.Name}' has no counterpart in the chat API this model's provider speaks.");
        if (request.TryGetProperty("truncation", out var truncation) && truncation.ValueKind == JsonValueKind.String && truncation.GetString() != "disabled")
            throw Refused("truncation", "Only truncation 'disabled' is possible on this model's provider: it does not drop earlier turns.");
        if (request.TryGetProperty("include", out var include) && include.ValueKind == JsonValueKind.Array && include.GetArrayLength() > 0)
            throw Refused("include", "'include' asks for data only OpenAI keeps (sources, encrypted reasoning, logs); this model's provider has none of it.");
        if (request.TryGetProperty("tools", out var tools))
        {
            if (tools.ValueKind != JsonValueKind.Array) throw RouterError.InvalidRequest("'tools' must be an array.", "tools");
            var index = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                var type = Text(tool, "type");
                if (type is not null && BuiltInTools.Contains(type))
                    throw Refused($"tools[{index}]", $"The built-in tool '{type}' runs only at OpenAI; this model's provider cannot run it.");
                if (type != "function") throw Refused($"tools[{index}].type", $"Tool type '{type}' has no counterpart on this model's provider; use function tools.");
                index++;
            }
        }
    }

    /// <summary>The mapped fields in their chat form, and the stream's usage chunk.</summary>
    public static void WriteMapped(Utf8JsonWriter json, JsonElement request)
    {
        if (request.TryGetProperty("tools", out var tools) && tools.GetArrayLength() > 0) WriteTools(json, tools);
        if (request.TryGetProperty("tool_choice", out var choice)) WriteToolChoice(json, choice);
        Copy(json, request, "max_output_tokens", "max_tokens");
        Copy(json, request, "temperature", "temperature");
        Copy(json, request, "top_p", "top_p");
        Copy(json, request, "parallel_tool_calls", "parallel_tool_calls");
        Copy(json, request, "service_tier", "service_tier");
        if ((Text(request, "user") ?? Text(request, "safety_identifier")) is { } user) json.WriteString("user", user);
        if (request.TryGetProperty("reasoning", out var reasoning) && Text(reasoning, "effort") is { } effort) json.WriteString("reasoning_effort", effort);
        if (request.TryGetProperty("text", out var text)) WriteTextFormat(json, text);
        if (request.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
        {
            json.WriteBoolean("stream", true);
            json.WriteStartObject("stream_options");
            json.WriteBoolean("include_usage", true);
            json.WriteEndObject();
        }
    }

    private static void WriteTools(Utf8JsonWriter json, JsonElement tools)
    {
        json.WriteStartArray("tools");
        foreach (var tool in tools.EnumerateArray())
        {
            json.WriteStartObject();
            json.WriteString("type", "function");
            json.WriteStartObject("function");
            json.WriteString("name", Text(tool, "name") ?? throw RouterError.InvalidRequest("A function tool needs its name.", "tools"));
            if (Text(tool, "description") is { } description) json.WriteString("description", description);
            if (tool.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
            {
                json.WritePropertyName("parameters");
                parameters.WriteTo(json);
            }
            if (tool.TryGetProperty("strict", out var strict) && strict.ValueKind is JsonValueKind.True or JsonValueKind.False)
                json.WriteBoolean("strict", strict.GetBoolean());
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteToolChoice(Utf8JsonWriter json, JsonElement choice)
    {
        if (choice.ValueKind == JsonValueKind.String)
        {
            json.WriteString("tool_choice", choice.GetString());
            return;
        }
        if (Text(choice, "type") != "function" || Text(choice, "name") is not { } name)
            throw Refused("tool_choice", "tool_choice must be auto, none, required or {\"type\": \"function\", \"name\": …} on this model's provider.");
        json.WriteStartObject("tool_choice");
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", name);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary><c>text.format</c> as chat's <c>response_format</c>; <c>text.verbosity</c> as chat's <c>verbosity</c>.</summary>
    private static void WriteTextFormat(Utf8JsonWriter json, JsonElement text)
    {
        if (Text(text, "verbosity") is { } verbosity) json.WriteString("verbosity", verbosity);
        if (!text.TryGetProperty("format", out var format)) return;
        switch (Text(format, "type"))
        {
            case "text" or null:
                return;
            case "json_object":
                json.WriteStartObject("response_format");
                json.WriteString("type", "json_object");
                json.WriteEndObject();
                return;
            case "json_schema":
                json.WriteStartObject("response_format");
                json.WriteString("type", "json_schema");
                json.WriteStartObject("json_schema");
                json.WriteString("name", Text(format, "name") ?? "response");
                if (format.TryGetProperty("schema", out var schema)) { json.WritePropertyName("schema"); schema.WriteTo(json); }
                if (format.TryGetProperty("strict", out var strict) && strict.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    json.WriteBoolean("strict", strict.GetBoolean());
                if (Text(format, "description") is { } description) json.WriteString("description", description);
                json.WriteEndObject();
                json.WriteEndObject();
                return;
            case var other:
                throw Refused("text.format", $"text.format type '{other}' has no counterpart on this model's provider.");
        }
    }

    private static void Copy(Utf8JsonWriter json, JsonElement request, string from, string to)
    {
        if (!request.TryGetProperty(from, out var value) || value.ValueKind == JsonValueKind.Null) return;
        json.WritePropertyName(to);
        value.WriteTo(json);
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static RouterError Refused(string param, string message) => RouterError.InvalidRequest(message, param, "unsupported_parameter");
}
