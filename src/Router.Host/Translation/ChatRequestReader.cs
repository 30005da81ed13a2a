using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Translation;

/// <summary>
/// Reads the parts of an OpenAI chat request that a translating dialect maps field by field. Anything
/// malformed is refused with a 400 that names the offending field, as OpenAI would.
/// </summary>
public static class ChatRequestReader
{
    public static IReadOnlyList<ChatMessage> Messages(ProxyRequest request)
    {
        var messages = request.Field("messages")!.Value; // presence and kind checked on arrival
        var read = new List<ChatMessage>(messages.GetArrayLength());
        var i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            read.Add(Message(message, $"messages[{i}]"));
            i++;
        }
        return read;
    }

    public static IReadOnlyList<ToolDefinition> Tools(ProxyRequest request)
    {
        switch (request.Field("tools"))
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return [];
            case { ValueKind: JsonValueKind.Array } tools:
                var read = new List<ToolDefinition>();
                var i = 0;
                foreach (var tool in tools.EnumerateArray()) read.Add(Tool(tool, $"tools[{i++}]"));
                return read;
            default:
                throw RouterError.InvalidRequest("'tools' must be an array of tools.", "tools");
        }
    }

    private static ToolDefinition Tool(JsonElement tool, string param)
    {
        if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("function", out var function)
            || function.ValueKind != JsonValueKind.Object)
            throw RouterError.InvalidRequest($"'{param}' must be an object with a 'function'.", param);
        if (tool.TryGetProperty("type", out var type) && type.GetString() != "function")
            throw RouterError.InvalidRequest($"'{param}.type' must be 'function'; this provider is reached by translation and takes only function tools.", $"{param}.type");
        var name = String(function, "name") ?? throw RouterError.InvalidRequest($"'{param}.function.name' is required.", $"{param}.function.name");
        JsonElement? parameters = null;
        if (function.TryGetProperty("parameters", out var p) && p.ValueKind != JsonValueKind.Null)
            parameters = p.ValueKind == JsonValueKind.Object
                ? p
                : throw RouterError.InvalidRequest($"'{param}.function.parameters' must be a JSON Schema object.", $"{param}.function.parameters");
        // LiteLLM takes cache_control on the tool or on its function.
        var cache = CacheControl(tool, param) ?? CacheControl(function, $"{param}.function");
        return new ToolDefinition(name, String(function, "description"), parameters, cache);
    }

    public static ToolChoice? ToolChoice(ProxyRequest request)
    {
        switch (request.Field("tool_choice"))
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } text:
                return text.GetString() switch
                {
                    "auto" => new ToolChoice(ToolChoiceMode.Auto),
                    "none" => new ToolChoice(ToolChoiceMode.None),
                    "required" => new ToolChoice(ToolChoiceMode.Required),
                    var other => throw RouterError.InvalidRequest($"'tool_choice' '{other}' is not one of: auto, none, required.", "tool_choice"),
                };
            case { ValueKind: JsonValueKind.Object } named
                when named.TryGetProperty("function", out var function) && String(function, "name") is { } name:
                return new ToolChoice(ToolChoiceMode.Function, name);
            default:
                throw RouterError.InvalidRequest("'tool_choice' must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":…}}.", "tool_choice");
        }
    }

    /// <summary>Stop sequences: OpenAI takes a string or an array of strings.</summary>
    public static IReadOnlyList<string> Stop(ProxyRequest request)
    {
        switch (request.Field("stop"))
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return [];
            case { ValueKind: JsonValueKind.String } one:
                return [one.GetString()!];
            case { ValueKind: JsonValueKind.Array } many:
                var read = new List<string>();
                var i = 0;
                foreach (var sequence in many.EnumerateArray())
                {
                    if (sequence.ValueKind != JsonValueKind.String)
                        throw RouterError.InvalidRequest($"'stop[{i}]' must be a string.", $"stop[{i}]");
                    read.Add(sequence.GetString()!);
                    i++;
                }
                return read;
            default:
                throw RouterError.InvalidRequest("'stop' must be a string or an array of strings.", "stop");
        }
    }

    /// <summary>
    /// The completion limit: <c>max_completion_tokens</c>, or the older <c>max_tokens</c>, or the Responses API's
    /// <c>max_output_tokens</c>. Each must be a
    /// positive integer: a limit the provider cannot take is refused, never replaced by a default.
    /// </summary>
    public static int? MaxTokens(ProxyRequest request) =>
        PositiveInt(request, "max_completion_tokens") ?? PositiveInt(request, "max_tokens") ?? PositiveInt(request, "max_output_tokens");

    /// <summary>The name of the limit field the client sent, for a refusal that concerns it.</summary>
    public static string MaxTokensField(ProxyRequest request) =>
        request.Field("max_completion_tokens") is { ValueKind: not JsonValueKind.Null } ? "max_completion_tokens" : "max_tokens";

    private static int? PositiveInt(ProxyRequest request, string name) =>
        Int(request, name) switch
        {
            null => null,
            > 0 and var value => value,
            _ => throw RouterError.InvalidRequest($"'{name}' must be a positive integer.", name),
        };

    /// <summary>An integer field; absent or null is null, anything but an integer (32-bit) is refused.</summary>
    public static int? Int(ProxyRequest request, string name) => request.Field(name) switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out var value) => value,
        _ => throw RouterError.InvalidRequest($"'{name}' must be an integer.", name),
    };

    /// <summary>A number field; absent or null is null, anything but a number is refused.</summary>
    public static double? Number(ProxyRequest request, string name) => request.Field(name) switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Number } n => n.GetDouble(),
        _ => throw RouterError.InvalidRequest($"'{name}' must be a number.", name),
    };

    /// <summary>A string field; absent or null is null, anything but a string is refused.</summary>
    public static string? Text(ProxyRequest request, string name) => request.Field(name) switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } text => text.GetString(),
        _ => throw RouterError.InvalidRequest($"'{name}' must be a string.", name),
    };

    /// <summary>A boolean field; absent or null is null, anything but true or false is refused.</summary>
    public static bool? Flag(ProxyRequest request, string name) => request.Field(name) switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw RouterError.InvalidRequest($"'{name}' must be true or false.", name),
    };

    /// <summary>An object's <c>cache_control</c>: absent or null is null; it must be an object (Anthropic's <c>{"type":"ephemeral"}</c>).</summary>
    public static JsonElement? CacheControl(JsonElement owner, string param)
    {
        if (owner.ValueKind != JsonValueKind.Object || !owner.TryGetProperty("cache_control", out var cache) || cache.ValueKind == JsonValueKind.Null)
            return null;
        return cache.ValueKind == JsonValueKind.Object
            ? cache
            : throw RouterError.InvalidRequest($"'{param}.cache_control' must be an object such as {{\"type\":\"ephemeral\"}}.", $"{param}.cache_control");
    }

    private static ChatMessage Message(JsonElement message, string param)
    {
        if (message.ValueKind != JsonValueKind.Object)
            throw RouterError.InvalidRequest($"'{param}' must be an object.", param);
        var role = String(message, "role") ?? throw RouterError.InvalidRequest($"'{param}.role' is required.", $"{param}.role");
        if (role is not ("system" or "developer" or "user" or "assistant" or "tool"))
            throw RouterError.InvalidRequest($"'{param}.role' '{role}' is not one of: system, developer, user, assistant, tool.", $"{param}.role");
        var parts = message.TryGetProperty("content", out var content) ? Parts(content, $"{param}.content") : [];
        if (message.TryGetProperty("tool_calls", out var sentCalls) && sentCalls.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
            throw RouterError.InvalidRequest($"'{param}.tool_calls' must be an array.", $"{param}.tool_calls");
        var calls = message.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array
            ? ToolCalls(toolCalls, $"{param}.tool_calls")
            : [];
        var toolCallId = String(message, "tool_call_id");
        if (role == "tool" && toolCallId is null)
            throw RouterError.InvalidRequest($"'{param}.tool_call_id' is required for a tool message.", $"{param}.tool_call_id");
        return new ChatMessage(role, parts, calls, toolCallId, CacheControl(message, param))
        {
            UntranslatedFields = [.. UntranslatedFields(message, param), .. UntranslatedImageDetails(content, param)],
        };
    }

    private static readonly HashSet<string> TranslatedMessageFields = ["role", "content", "tool_calls", "tool_call_id", "cache_control"];

    /// <summary>The message's fields, set to something, that no translation reads (such as <c>name</c>).</summary>
    private static IEnumerable<string> UntranslatedFields(JsonElement message, string param) =>
        message.EnumerateObject()
            .Where(p => p.Value.ValueKind != JsonValueKind.Null && !TranslatedMessageFields.Contains(p.Name))
            .Select(p => $"{param}.{p.Name}");

    /// <summary>An image's <c>detail</c> other than auto: a resolution choice neither Anthropic nor Gemini takes.</summary>
    private static IEnumerable<string> UntranslatedImageDetails(JsonElement content, string param)
    {
        if (content.ValueKind != JsonValueKind.Array) yield break;
        var i = 0;
        foreach (var part in content.EnumerateArray())
        {
            if (part.TryGetProperty("image_url", out var image) && String(image, "detail") is { } detail && detail != "auto")
                yield return $"{param}.content[{i}].image_url.detail";
            i++;
        }
    }

    private static IReadOnlyList<ContentPart> Parts(JsonElement content, string param)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.Null:
                return [];
            case JsonValueKind.String:
                return [new TextPart(content.GetString()!)];
            case JsonValueKind.Array:
                var parts = new List<ContentPart>();
                var i = 0;
                foreach (var part in content.EnumerateArray()) parts.Add(Part(part, $"{param}[{i++}]"));
                return parts;
            default:
                throw RouterError.InvalidRequest($"'{param}' must be a string or an array of content parts.", param);
        }
    }

    private static ContentPart Part(JsonElement part, string param)
    {
        var type = part.ValueKind == JsonValueKind.Object ? String(part, "type") : null;
        switch (type)
        {
            case "text":
                return new TextPart(String(part, "text") ?? throw RouterError.InvalidRequest($"'{param}.text' is required.", $"{param}.text"))
                    { CacheControl = CacheControl(part, param) };
            case "image_url":
                var url = part.TryGetProperty("image_url", out var image)
                    ? image.ValueKind == JsonValueKind.String ? image.GetString() : String(image, "url")
                    : null;
                if (url is null) throw RouterError.InvalidRequest($"'{param}.image_url.url' is required.", $"{param}.image_url.url");
                return Image(url, $"{param}.image_url.url") with { CacheControl = CacheControl(part, param) };
            default:
                throw RouterError.InvalidRequest(
                    $"'{param}.type' '{type}' cannot be translated for this provider; text and image_url parts can.", $"{param}.type",
                    "unsupported_content_part");
        }
    }

    /// <summary>
    /// Splits <c>data:image/png;base64,AAAA</c> into media type and payload; an http(s) URL stays whole. Anything
    /// else is no image a provider can fetch, and is refused naming <paramref name="param"/>.
    /// </summary>
    public static ImagePart Image(string url, string param = "image_url.url")
    {
        const string prefix = "data:";
        const string marker = ";base64,";
        if (!url.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
                return new ImagePart(url, null, null);
            throw RouterError.InvalidRequest($"'{param}' must be an http(s) URL or a base64 data URL.", param, "invalid_image_url");
        }
        var split = url.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (split <= prefix.Length || split + marker.Length == url.Length)
            throw RouterError.InvalidRequest("An image data URL must be base64: data:<media type>;base64,<data>.", param, "invalid_image_url");
        return new ImagePart(url, url[prefix.Length..split], url[(split + marker.Length)..]);
    }

    private static List<OpenAiToolCall> ToolCalls(JsonElement calls, string param)
    {
        var read = new List<OpenAiToolCall>();
        var i = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var at = $"{param}[{i++}]";
            if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function))
                throw RouterError.InvalidRequest($"'{at}.function' is required.", $"{at}.function");
            read.Add(new OpenAiToolCall(
                String(call, "id") ?? throw RouterError.InvalidRequest($"'{at}.id' is required.", $"{at}.id"),
                String(function, "name") ?? throw RouterError.InvalidRequest($"'{at}.function.name' is required.", $"{at}.function.name"),
                String(function, "arguments") is { Length: > 0 } arguments ? arguments : "{}"));
        }
        return read;
    }

    /// <summary>Parses a tool call's arguments text (OpenAI sends JSON as a string) for providers that want an object.</summary>
    public static JsonElement ArgumentsObject(OpenAiToolCall call)
    {
        try
        {
            using var document = JsonDocument.Parse(call.Arguments);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Refused below with the same message.
        }
        throw RouterError.InvalidRequest(
            $"The arguments of tool call '{call.Id}' must be a JSON object; this provider takes them parsed.", "messages", "invalid_tool_arguments");
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
