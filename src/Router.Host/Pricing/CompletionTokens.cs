using System.Text;
using System.Text.Json;

namespace Router.Host.Pricing;

/// <summary>
/// Counts the completion tokens of an answer the provider gave no usage for, from what the client was
/// sent, in OpenAI's format or Anthropic's (a Messages client's): every text a choice produced (<c>content</c>, <c>reasoning_content</c> or
/// <c>reasoning</c>, <c>refusal</c>, a legacy completion's <c>text</c>) and every tool call's name and
/// arguments, counted with the o200k tokenizer. What is not JSON (a comment, <c>[DONE]</c>) counts nothing.
/// </summary>
public static class CompletionTokens
{
    /// <summary>The tokens of streamed chunks, as sent to the client (<c>data: {…}\n\n</c> frames).</summary>
    public static int OfFrames(IEnumerable<byte[]> frames)
    {
        var text = new StringBuilder();
        foreach (var frame in frames)
            foreach (var data in DataLines(frame))
                Collect(data, text, "delta");
        return TokenCounter.CountTokens(text.ToString());
    }

    /// <summary>The tokens of a complete answer's body (<c>chat.completion</c> or <c>text_completion</c>).</summary>
    public static int OfAnswer(ReadOnlySpan<byte> body)
    {
        var text = new StringBuilder();
        Collect(body, text, "message");
        return TokenCounter.CountTokens(text.ToString());
    }

    private static IEnumerable<byte[]> DataLines(byte[] frame)
    {
        const byte newline = (byte)'\n';
        var start = 0;
        while (start < frame.Length)
        {
            var end = Array.IndexOf(frame, newline, start);
            if (end < 0) end = frame.Length;
            var line = frame.AsSpan(start, end - start).TrimEnd((byte)'\r');
            if (line.StartsWith("data:"u8)) yield return line[5..].TrimStart((byte)' ').ToArray();
            start = end + 1;
        }
    }

    private static void Collect(ReadOnlySpan<byte> json, StringBuilder text, string part)
    {
        if (json.IsEmpty || json[0] != (byte)'{') return;
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return;
            CollectAnthropic(document.RootElement, text);
            if (!document.RootElement.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array) return;
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.ValueKind != JsonValueKind.Object) continue;
                Append(choice, "text", text);
                if (choice.TryGetProperty(part, out var message) && message.ValueKind == JsonValueKind.Object) CollectMessage(message, text);
            }
        }
        catch (JsonException)
        {
            // Not an answer's JSON: nothing the client could read as tokens.
        }
    }

    private static void CollectMessage(JsonElement message, StringBuilder text)
    {
        foreach (var name in TextFields) Append(message, name, text);
        if (!message.TryGetProperty("tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array) return;
        foreach (var call in calls.EnumerateArray())
            if (call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
            {
                Append(function, "name", text);
                Append(function, "arguments", text);
            }
    }

    private static readonly string[] TextFields = ["content", "reasoning_content", "reasoning", "refusal"];

    /// <summary>
    /// Anthropic's shapes, which a Messages client is sent: a stream's block starts and deltas (text, thinking, a tool
    /// call's name and input JSON), or a message's content blocks.
    /// </summary>
    private static void CollectAnthropic(JsonElement root, StringBuilder text)
    {
        if (root.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
            foreach (var name in AnthropicDeltaFields) Append(delta, name, text);
        if (root.TryGetProperty("content_block", out var started) && started.ValueKind == JsonValueKind.Object) CollectBlock(started, text);
        if (root.TryGetProperty("content", out var blocks) && blocks.ValueKind == JsonValueKind.Array)
            foreach (var block in blocks.EnumerateArray())
                if (block.ValueKind == JsonValueKind.Object) CollectBlock(block, text);
    }

    private static void CollectBlock(JsonElement block, StringBuilder text)
    {
        foreach (var name in AnthropicBlockFields) Append(block, name, text);
        if (block.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object) text.Append(input.GetRawText());
    }

    private static readonly string[] AnthropicDeltaFields = ["text", "thinking", "partial_json"];
    private static readonly string[] AnthropicBlockFields = ["text", "thinking", "name"];

    private static void Append(JsonElement element, string name, StringBuilder text)
    {
        if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String) text.Append(value.GetString());
    }
}
