using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Translation;

namespace Router.Host.Caching;

/// <summary>
/// Replays a cached <c>chat.completion</c> body as the SSE frames OpenAI would have streamed: per choice a
/// role chunk, the reasoning, content and refusal chunks, one chunk per tool call (id, name and all its
/// arguments), the finish chunk; then the usage chunk (<c>choices: []</c>, the body's own <c>usage</c>) when
/// <c>includeUsage</c>, and <c>data: [DONE]</c>. <c>id</c>, <c>model</c>, <c>created</c> and
/// <c>system_fingerprint</c> are the cached body's. <see cref="ChatStreamAssembler"/> turns the frames back
/// into the same body.
/// </summary>
public static class ChatStreamReplay
{
    /// <exception cref="ArgumentException">The body is not a <c>chat.completion</c> object.</exception>
    public static IReadOnlyList<byte[]> Frames(byte[] completionBody, bool includeUsage)
    {
        using var document = ParseCompletion(completionBody);
        var root = document.RootElement;
        var head = new Head(
            String(root, "id") ?? "",
            root.TryGetProperty("created", out var created) && created.ValueKind == JsonValueKind.Number ? created.GetInt64() : 0,
            String(root, "model") ?? "",
            String(root, "system_fingerprint"));

        var frames = new List<byte[]>();
        foreach (var choice in root.GetProperty("choices").EnumerateArray())
        {
            var index = choice.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : 0;
            var message = choice.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            var content = message.ValueKind == JsonValueKind.Object ? String(message, "content") : null;

            frames.Add(Delta(head, index, json =>
            {
                json.WriteString("role", "assistant");
                if (content is null) json.WriteNull("content");
                else json.WriteString("content", "");
            }));
            if (message.ValueKind == JsonValueKind.Object)
            {
                if (String(message, "reasoning_content") is { Length: > 0 } reasoning)
                    frames.Add(Delta(head, index, json => json.WriteString("reasoning_content", reasoning)));
                if (content is { Length: > 0 })
                    frames.Add(Delta(head, index, json => json.WriteString("content", content)));
                if (String(message, "refusal") is { } refusal)
                    frames.Add(Delta(head, index, json => json.WriteString("refusal", refusal)));
                if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                {
                    var position = 0;
                    foreach (var call in calls.EnumerateArray())
                    {
                        var callIndex = position++;
                        var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
                        frames.Add(Delta(head, index, json =>
                        {
                            json.WriteStartArray("tool_calls");
                            json.WriteStartObject();
                            json.WriteNumber("index", callIndex);
                            json.WriteString("id", String(call, "id") ?? "");
                            json.WriteString("type", String(call, "type") ?? "function");
                            json.WriteStartObject("function");
                            json.WriteString("name", function.ValueKind == JsonValueKind.Object ? String(function, "name") ?? "" : "");
                            json.WriteString("arguments", function.ValueKind == JsonValueKind.Object ? String(function, "arguments") ?? "" : "");
                            json.WriteEndObject();
                            json.WriteEndObject();
                            json.WriteEndArray();
                        }));
                    }
                }
            }
            var finishReason = String(choice, "finish_reason") ?? "stop";
            frames.Add(Chunk(head, json =>
            {
                json.WriteStartObject();
                json.WriteNumber("index", index);
                json.WriteStartObject("delta");
                json.WriteEndObject();
                json.WriteNull("logprobs");
                json.WriteString("finish_reason", finishReason);
                json.WriteEndObject();
            }));
        }

        if (includeUsage)
        {
            var usage = root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? u : default;
            frames.Add(Chunk(head, _ => { }, json =>
            {
                if (usage.ValueKind == JsonValueKind.Object)
                {
                    json.WritePropertyName("usage");
                    usage.WriteTo(json);
                }
                else OpenAiUsage.Write(json, TokenUsage.None);
            }));
        }
        frames.Add(OpenAiChunks.Done);
        return frames;
    }

    private sealed record Head(string Id, long Created, string Model, string? Fingerprint);

    private static JsonDocument ParseCompletion(byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new ArgumentException("the cached body is not JSON", nameof(body), e);
        }
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || String(root, "object") != "chat.completion" ||
            !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
        {
            document.Dispose();
            throw new ArgumentException("the cached body is not a chat.completion", nameof(body));
        }
        return document;
    }

    private static byte[] Delta(Head head, int choice, Action<Utf8JsonWriter> writeDelta) => Chunk(head, json =>
    {
        json.WriteStartObject();
        json.WriteNumber("index", choice);
        json.WriteStartObject("delta");
        writeDelta(json);
        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteNull("finish_reason");
        json.WriteEndObject();
    });

    private static byte[] Chunk(Head head, Action<Utf8JsonWriter> writeChoices, Action<Utf8JsonWriter>? writeUsage = null) =>
        TranslationJson.WriteEvent(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", head.Id);
            json.WriteString("object", "chat.completion.chunk");
            json.WriteNumber("created", head.Created);
            json.WriteString("model", head.Model);
            if (head.Fingerprint is not null) json.WriteString("system_fingerprint", head.Fingerprint);
            json.WriteStartArray("choices");
            writeChoices(json);
            json.WriteEndArray();
            writeUsage?.Invoke(json);
            json.WriteEndObject();
        });

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
