using System.Text.Json;
using Router.Host.Streaming;
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
        var created = root.TryGetProperty("created", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt64() : 0;
        var chunks = new OpenAiChunks(new ResponseContext(String(root, "id") ?? "", String(root, "model") ?? "", created, includeUsage))
        {
            SystemFingerprint = String(root, "system_fingerprint"),
        };

        var frames = new List<byte[]>();
        foreach (var choice in root.GetProperty("choices").EnumerateArray())
        {
            var index = choice.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : 0;
            var hasMessage = choice.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object;
            frames.Add(chunks.Role(index, nullContent: hasMessage && String(message, "content") is null));
            if (hasMessage)
            {
                if (String(message, "reasoning_content") is { Length: > 0 } reasoning) frames.Add(chunks.Reasoning(reasoning, index));
                if (String(message, "content") is { Length: > 0 } content) frames.Add(chunks.Content(content, index));
                if (String(message, "refusal") is { } refusal) frames.Add(chunks.Refusal(refusal, index));
                if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                {
                    var position = 0;
                    foreach (var call in calls.EnumerateArray())
                    {
                        var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
                        frames.Add(chunks.ToolCallStart(position++, String(call, "id") ?? "",
                            function.ValueKind == JsonValueKind.Object ? String(function, "name") ?? "" : "",
                            function.ValueKind == JsonValueKind.Object ? String(function, "arguments") ?? "" : "", index));
                    }
                }
            }
            frames.Add(chunks.Finish(String(choice, "finish_reason") ?? "stop", index));
        }
        chunks.Close(frames, UsageParser.FromResponse(completionBody));
        return frames;
    }

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

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
