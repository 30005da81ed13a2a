using System.Text.Json;
using Router.Contracts.Configuration;
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

    private const string Api = "Gemini's generateContent API";

    /// <summary>The OpenAI chat fields this translation carries to Gemini (some only for some values).</summary>
    public static readonly IReadOnlySet<string> Mapped = new HashSet<string>(StringComparer.Ordinal)
    {
        "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "stop", "tools", "tool_choice", "n",
        "presence_penalty", "frequency_penalty", "seed", "response_format", "reasoning_effort", "thinking", "parallel_tool_calls",
        "logprobs", "top_logprobs",
    };

    public static WrittenRequest Write(ProxyRequest request, string model, ProviderSettings settings)
    {
        var fields = new UnmappedFields(settings, Api);
        fields.CheckTopLevel(request, Mapped);
        // Gemini decides alone whether to call functions in parallel; only OpenAI's default can be honoured.
        if (ChatRequestReader.Flag(request, "parallel_tool_calls") is false)
            fields.Unmappable("parallel_tool_calls", "parallel_tool_calls", $"{Api} cannot be told to call one function at a time");
        var messages = ChatRequestReader.Messages(request);
        fields.CheckMessages(messages);
        var tools = ChatRequestReader.Tools(request);
        var toolChoice = ChatRequestReader.ToolChoice(request);
        RefuseCacheControl(messages, tools, fields);
        var turns = Turns(messages);
        var system = SystemTexts(messages);
        var thinking = GeminiThinking.For(request, model);

        var body = TranslationJson.Write(json =>
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
            GeminiGenerationConfig.Write(json, request, thinking);
            json.WriteEndObject();
        });
        return new WrittenRequest(body, fields.Dropped);
    }

    /// <summary>System and developer messages as <c>systemInstruction</c> texts; an image there has no place in it.</summary>
    private static List<string> SystemTexts(IReadOnlyList<ChatMessage> messages)
    {
        var texts = new List<string>();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role is not ("system" or "developer")) continue;
            var image = message.Parts.ToList().FindIndex(p => p is ImagePart);
            if (image >= 0)
                throw RouterError.InvalidRequest(
                    $"'messages[{i}].content[{image}]' is an image in a {message.Role} message; Gemini's systemInstruction is translated from text only.",
                    $"messages[{i}].content[{image}]", "unsupported_content_part");
            if (message.Text.Length > 0) texts.Add(message.Text);
        }
        return texts;
    }

    /// <summary>
    /// Gemini caches context through its own cachedContents API, not with breakpoints in a request: a
    /// <c>cache_control</c> anywhere cannot reach it.
    /// </summary>
    private static void RefuseCacheControl(IReadOnlyList<ChatMessage> messages, IReadOnlyList<ToolDefinition> tools, UnmappedFields fields)
    {
        const string why = "Gemini's generateContent API has no prompt-caching breakpoints ('cache_control')";
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].CacheControl is not null) fields.Unmappable("cache_control", $"messages[{i}].cache_control", why);
            for (var j = 0; j < messages[i].Parts.Count; j++)
                if (messages[i].Parts[j].CacheControl is not null)
                    fields.Unmappable("cache_control", $"messages[{i}].content[{j}].cache_control", why);
        }
        for (var i = 0; i < tools.Count; i++)
            if (tools[i].CacheControl is not null) fields.Unmappable("cache_control", $"tools[{i}].cache_control", why);
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
}
