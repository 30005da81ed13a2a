using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Translation.Gemini;

/// <summary>
/// An OpenAI chat request as a Gemini <c>GenerateContentRequest</c> body: system and developer messages
/// become <c>systemInstruction</c>, the conversation <c>contents</c> of user and model turns, tools
/// <c>functionDeclarations</c>, and the sampling fields <c>generationConfig</c>. The model is not in the
/// body: it is part of the path.
/// </summary>
public static class GeminiRequestWriter
{
    /// <summary>
    /// Gemini 3 refuses a replayed functionCall part without the thought signature it was sent with, and an
    /// OpenAI client cannot keep one. Google documents this value for history that carries no signature
    /// (https://ai.google.dev/gemini-api/docs/thought-signatures); earlier models ignore the field.
    /// </summary>
    public const string SkipThoughtSignature = "skip_thought_signature_validator";

    public static byte[] Write(ProxyRequest request)
    {
        var messages = ChatRequestReader.Messages(request);
        var tools = ChatRequestReader.Tools(request);
        var toolChoice = ChatRequestReader.ToolChoice(request);
        var turns = Turns(messages);
        var system = messages.Where(m => m.Role is "system" or "developer").Select(m => m.Text).Where(t => t.Length > 0).ToList();

        return TranslationJson.Write(json =>
        {
            json.WriteStartObject();
            if (system.Count > 0)
            {
                json.WriteStartObject("systemInstruction");
                json.WriteStartArray("parts");
                foreach (var text in system) WriteText(json, text);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteStartArray("contents");
            foreach (var turn in turns)
            {
                json.WriteStartObject();
                json.WriteString("role", turn.Role);
                json.WriteStartArray("parts");
                foreach (var part in turn.Parts) part(json);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (tools.Count > 0)
            {
                WriteTools(json, tools);
                if (toolChoice is not null) WriteToolConfig(json, toolChoice);
            }
            WriteGenerationConfig(json, request);
            json.WriteEndObject();
        });
    }

    private sealed record Turn(string Role, List<Action<Utf8JsonWriter>> Parts);

    /// <summary>
    /// The conversation as Gemini turns. Gemini wants user and model turns; tool results are user turns of
    /// functionResponse parts, and consecutive turns of one role are merged (parallel results in one turn).
    /// </summary>
    private static List<Turn> Turns(IReadOnlyList<ChatMessage> messages)
    {
        var turns = new List<Turn>();
        var callNames = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var parts = new List<Action<Utf8JsonWriter>>();
            string role;
            switch (message.Role)
            {
                case "system" or "developer":
                    continue;
                case "user":
                    role = "user";
                    foreach (var part in message.Parts)
                    {
                        switch (part)
                        {
                            case TextPart { Text.Length: > 0 } text:
                                parts.Add(json => WriteText(json, text.Text));
                                break;
                            case ImagePart image:
                                parts.Add(json => WriteImage(json, image));
                                break;
                        }
                    }
                    break;
                case "assistant":
                    role = "model";
                    if (message.Text is { Length: > 0 } said) parts.Add(json => WriteText(json, said));
                    for (var c = 0; c < message.ToolCalls.Count; c++)
                    {
                        var call = message.ToolCalls[c];
                        callNames[call.Id] = call.Name;
                        var arguments = ChatRequestReader.ArgumentsObject(call);
                        var first = c == 0;
                        parts.Add(json => WriteFunctionCall(json, call.Name, arguments, first));
                    }
                    break;
                default: // tool
                    role = "user";
                    if (!callNames.TryGetValue(message.ToolCallId!, out var name))
                        throw RouterError.InvalidRequest(
                            $"'messages[{i}].tool_call_id' '{message.ToolCallId}' answers no tool call of an earlier assistant message; Gemini needs the function's name.",
                            $"messages[{i}].tool_call_id", "unknown_tool_call_id");
                    var result = message.Text;
                    parts.Add(json => WriteFunctionResponse(json, name, result));
                    break;
            }
            if (parts.Count == 0) continue; // Gemini refuses a turn without parts
            if (turns.Count > 0 && turns[^1].Role == role) turns[^1].Parts.AddRange(parts);
            else turns.Add(new Turn(role, parts));
        }
        return turns;
    }

    private static void WriteText(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    private static void WriteImage(Utf8JsonWriter json, ImagePart image)
    {
        json.WriteStartObject();
        if (image.IsInline)
        {
            json.WriteStartObject("inlineData");
            json.WriteString("mimeType", image.MediaType);
            json.WriteString("data", image.Base64Data);
        }
        else
        {
            json.WriteStartObject("fileData");
            json.WriteString("mimeType", ImageMimeType(image.Url));
            json.WriteString("fileUri", image.Url);
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// Gemini wants a MIME type with every file URI, and an OpenAI image URL has none: it is guessed from
    /// the path's extension (png, jpg/jpeg, webp, gif, heic, heif), else image/jpeg, the most common.
    /// </summary>
    public static string ImageMimeType(string url)
    {
        var path = url;
        var cut = path.IndexOfAny(['?', '#']);
        if (cut >= 0) path = path[..cut];
        var dot = path.LastIndexOf('.');
        var extension = dot >= 0 && dot > path.LastIndexOf('/') ? path[(dot + 1)..].ToLowerInvariant() : "";
        return extension switch
        {
            "png" => "image/png",
            "webp" => "image/webp",
            "gif" => "image/gif",
            "heic" => "image/heic",
            "heif" => "image/heif",
            _ => "image/jpeg",
        };
    }

    /// <param name="first">
    /// The first call of a turn carries the signature placeholder, as Gemini signs only the first of
    /// parallel calls.
    /// </param>
    private static void WriteFunctionCall(Utf8JsonWriter json, string name, JsonElement arguments, bool first)
    {
        // No "id": Gemini matches results to calls by name and order, and some API versions refuse the field.
        json.WriteStartObject();
        json.WriteStartObject("functionCall");
        json.WriteString("name", name);
        json.WritePropertyName("args");
        arguments.WriteTo(json);
        json.WriteEndObject();
        if (first) json.WriteString("thoughtSignature", SkipThoughtSignature);
        json.WriteEndObject();
    }

    /// <summary><c>response</c> must be an object: the tool's output when it is a JSON object, else <c>{"content": text}</c>.</summary>
    private static void WriteFunctionResponse(Utf8JsonWriter json, string name, string result)
    {
        json.WriteStartObject();
        json.WriteStartObject("functionResponse");
        json.WriteString("name", name);
        json.WritePropertyName("response");
        if (AsObject(result) is { } parsed)
        {
            parsed.WriteTo(json);
        }
        else
        {
            json.WriteStartObject();
            json.WriteString("content", result);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static JsonElement? AsObject(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length == 0 || trimmed[0] != '{') return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// OpenAI's parameters are JSON Schema, so they go under <c>parametersJsonSchema</c>, which takes JSON
    /// Schema as it is. <c>parameters</c> takes Google's OpenAPI-subset <c>Schema</c> instead, which refuses
    /// keywords OpenAI clients send routinely (<c>$ref</c>/<c>$defs</c>, <c>additionalProperties</c>,
    /// <c>const</c>, type arrays), so using it would mean rewriting schemas and losing constraints.
    /// </summary>
    private static void WriteTools(Utf8JsonWriter json, IReadOnlyList<ToolDefinition> tools)
    {
        json.WriteStartArray("tools");
        json.WriteStartObject();
        json.WriteStartArray("functionDeclarations");
        foreach (var tool in tools)
        {
            json.WriteStartObject();
            json.WriteString("name", tool.Name);
            if (tool.Description is not null) json.WriteString("description", tool.Description);
            if (tool.Parameters is { } parameters)
            {
                json.WritePropertyName("parametersJsonSchema");
                parameters.WriteTo(json);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
    }

    /// <summary>auto → AUTO, none → NONE, required → ANY, a named function → ANY limited to that name.</summary>
    private static void WriteToolConfig(Utf8JsonWriter json, ToolChoice choice)
    {
        json.WriteStartObject("toolConfig");
        json.WriteStartObject("functionCallingConfig");
        json.WriteString("mode", choice.Mode switch
        {
            ToolChoiceMode.None => "NONE",
            ToolChoiceMode.Required or ToolChoiceMode.Function => "ANY",
            _ => "AUTO",
        });
        if (choice is { Mode: ToolChoiceMode.Function, FunctionName: { } name })
        {
            json.WriteStartArray("allowedFunctionNames");
            json.WriteStringValue(name);
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteGenerationConfig(Utf8JsonWriter json, ProxyRequest request)
    {
        var temperature = ChatRequestReader.Number(request, "temperature");
        var topP = ChatRequestReader.Number(request, "top_p");
        var maxTokens = ChatRequestReader.MaxTokens(request);
        var stop = ChatRequestReader.Stop(request);
        var n = ChatRequestReader.Int(request, "n");
        var presence = ChatRequestReader.Number(request, "presence_penalty");
        var frequency = ChatRequestReader.Number(request, "frequency_penalty");
        var seed = ChatRequestReader.Int(request, "seed");
        var (mimeType, schema) = ResponseFormat(request);
        if (temperature is null && topP is null && maxTokens is null && stop.Count == 0 && n is null
            && presence is null && frequency is null && seed is null && mimeType is null)
            return;

        json.WriteStartObject("generationConfig");
        if (temperature is { } t) json.WriteNumber("temperature", t);
        if (topP is { } p) json.WriteNumber("topP", p);
        if (maxTokens is { } max) json.WriteNumber("maxOutputTokens", max);
        if (stop.Count > 0)
        {
            json.WriteStartArray("stopSequences");
            foreach (var s in stop) json.WriteStringValue(s);
            json.WriteEndArray();
        }
        if (n is { } count) json.WriteNumber("candidateCount", count);
        if (presence is { } pp) json.WriteNumber("presencePenalty", pp);
        if (frequency is { } fp) json.WriteNumber("frequencyPenalty", fp);
        if (seed is { } sd) json.WriteNumber("seed", sd);
        if (mimeType is not null) json.WriteString("responseMimeType", mimeType);
        if (schema is { } s2)
        {
            // responseJsonSchema takes JSON Schema as it is (responseSchema wants Google's OpenAPI subset)
            // and requires responseMimeType application/json.
            json.WritePropertyName("responseJsonSchema");
            s2.WriteTo(json);
        }
        json.WriteEndObject();
    }

    /// <summary><c>response_format</c>: json_object → JSON output; json_schema → JSON output with its schema; text → nothing.</summary>
    private static (string? MimeType, JsonElement? Schema) ResponseFormat(ProxyRequest request)
    {
        if (request.Field("response_format") is not { ValueKind: JsonValueKind.Object } format) return (null, null);
        var type = format.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text":
                return (null, null);
            case "json_object":
                return ("application/json", null);
            case "json_schema":
                if (format.TryGetProperty("json_schema", out var spec) && spec.ValueKind == JsonValueKind.Object
                    && spec.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object)
                    return ("application/json", schema);
                throw RouterError.InvalidRequest("'response_format.json_schema.schema' is required and must be an object.", "response_format.json_schema.schema");
            default:
                throw RouterError.InvalidRequest($"'response_format.type' '{type}' is not one of: text, json_object, json_schema.", "response_format.type");
        }
    }
}
