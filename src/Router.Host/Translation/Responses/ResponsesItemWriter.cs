using System.Text.Json;
using Router.Host.Http;

namespace Router.Host.Translation.Responses;

/// <summary>
/// Writes Responses input items as chat messages, in order. Function calls that follow an assistant's message (or
/// each other) join that assistant turn as its tool calls, as a chat API wants them.
/// </summary>
public sealed class ResponsesItemWriter(Utf8JsonWriter json)
{
    private string? _assistantText;
    private readonly List<JsonElement> _calls = [];
    private bool _assistantOpen;

    public void WriteUserText(string text)
    {
        Flush();
        json.WriteStartObject();
        json.WriteString("role", "user");
        json.WriteString("content", text);
        json.WriteEndObject();
    }

    public void Write(JsonElement item, string param)
    {
        if (item.ValueKind != JsonValueKind.Object) throw Invalid($"'{param}' must be an object.", param);
        var type = Text(item, "type") ?? (item.TryGetProperty("role", out _) ? "message" : null);
        switch (type)
        {
            case "message":
                Message(item, param);
                break;
            case "function_call":
                _assistantOpen = true;
                _calls.Add(item);
                break;
            case "function_call_output":
                Flush();
                json.WriteStartObject();
                json.WriteString("role", "tool");
                json.WriteString("tool_call_id", Text(item, "call_id") ?? throw Invalid($"'{param}.call_id' is required.", $"{param}.call_id"));
                json.WriteString("content", OutputText(item, param));
                json.WriteEndObject();
                break;
            case "reasoning":
                // A model's earlier reasoning: only the provider that made it can read it back (encrypted), so it is left out.
                break;
            case "item_reference":
                throw Invalid($"'{param}' refers to a stored item by id; send previous_response_id, or the item itself.", param, "unsupported_parameter");
            default:
                throw Invalid($"'{param}.type' '{type}' has no counterpart in the chat API this model's provider speaks.", $"{param}.type",
                    "unsupported_parameter");
        }
    }

    /// <summary>Ends the assistant turn being gathered, if any.</summary>
    public void Flush()
    {
        if (!_assistantOpen) return;
        json.WriteStartObject();
        json.WriteString("role", "assistant");
        if (_assistantText is not null) json.WriteString("content", _assistantText);
        else json.WriteNull("content");
        if (_calls.Count > 0)
        {
            json.WriteStartArray("tool_calls");
            foreach (var call in _calls)
                ChatToolCall.Write(json,
                    Text(call, "call_id") ?? throw Invalid("A function_call item needs its call_id.", "input"),
                    Text(call, "name") ?? throw Invalid("A function_call item needs its name.", "input"),
                    Text(call, "arguments") ?? "{}");
            json.WriteEndArray();
        }
        json.WriteEndObject();
        _assistantOpen = false;
        _assistantText = null;
        _calls.Clear();
    }

    private void Message(JsonElement item, string param)
    {
        var role = Text(item, "role");
        if (role is not ("user" or "assistant" or "system" or "developer"))
            throw Invalid($"'{param}.role' must be user, assistant, system or developer.", $"{param}.role");
        var content = item.TryGetProperty("content", out var c) ? c : throw Invalid($"'{param}.content' is required.", $"{param}.content");
        if (role == "assistant")
        {
            Flush();
            _assistantOpen = true;
            _assistantText = content.ValueKind == JsonValueKind.String ? content.GetString() : string.Concat(Parts(content, param).Select(p => p.Text));
            return;
        }
        Flush();
        json.WriteStartObject();
        json.WriteString("role", role);
        if (content.ValueKind == JsonValueKind.String) json.WriteString("content", content.GetString());
        else
        {
            json.WriteStartArray("content");
            foreach (var part in Parts(content, param)) WritePart(part);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    /// <summary>A content part: text, or an image by URL (a <c>data:</c> URL included) with its detail.</summary>
    private sealed record Part(string? Text, string? ImageUrl = null, string? Detail = null);

    private void WritePart(Part part)
    {
        json.WriteStartObject();
        if (part.ImageUrl is { } url)
        {
            json.WriteString("type", "image_url");
            json.WriteStartObject("image_url");
            json.WriteString("url", url);
            if (part.Detail is { } detail) json.WriteString("detail", detail);
            json.WriteEndObject();
        }
        else
        {
            json.WriteString("type", "text");
            json.WriteString("text", part.Text);
        }
        json.WriteEndObject();
    }

    /// <summary>Content parts: text (input or output) and images by URL.</summary>
    private static IEnumerable<Part> Parts(JsonElement content, string param)
    {
        if (content.ValueKind != JsonValueKind.Array) throw Invalid($"'{param}.content' must be a string or an array of parts.", $"{param}.content");
        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            var at = $"{param}.content[{index++}]";
            switch (Text(part, "type"))
            {
                case "input_text" or "output_text" or "text":
                    yield return new Part(Text(part, "text") ?? throw Invalid($"'{at}.text' is required.", $"{at}.text"));
                    break;
                case "input_image" when Text(part, "image_url") is { Length: > 0 } url:
                    yield return new Part(null, url, Text(part, "detail"));
                    break;
                case "input_image":
                    throw Invalid($"'{at}' needs an image_url (a file_id is stored at OpenAI, which this model's provider cannot read).", $"{at}.image_url");
                case var other:
                    throw Invalid($"'{at}.type' '{other}' has no counterpart in the chat API this model's provider speaks.", $"{at}.type",
                        "unsupported_parameter");
            }
        }
    }

    private static string OutputText(JsonElement item, string param) =>
        item.TryGetProperty("output", out var output) ? output.ValueKind switch
        {
            JsonValueKind.String => output.GetString()!,
            JsonValueKind.Array => string.Concat(output.EnumerateArray().Select(p => Text(p, "text"))),
            _ => throw Invalid($"'{param}.output' must be a string or an array of parts.", $"{param}.output"),
        } : throw Invalid($"'{param}.output' is required.", $"{param}.output");

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static RouterError Invalid(string message, string param, string code = "invalid_request") => RouterError.InvalidRequest(message, param, code);
}
