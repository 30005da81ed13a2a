using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// Reads a Messages API answer (<c>{"type":"message","content":[…],"stop_reason":…,"usage":…}</c>) as
/// OpenAI's <c>chat.completion</c>: text blocks joined into the content, thinking into
/// <c>reasoning_content</c>, <c>tool_use</c> blocks into tool calls (except the forced tool of a
/// <c>response_format</c>, whose input is the content).
/// </summary>
public static class AnthropicResponseReader
{
    public static TranslatedResponse Translate(byte[] body, ResponseContext response)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var choice = new OpenAiChoice { Index = 0 };
        var text = new JoinedText();
        var thinking = new JoinedText();
        var answeredByTool = false;
        if (root.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in content.EnumerateArray())
            {
                switch (String(block, "type"))
                {
                    case "text":
                        text.Append(String(block, "text"));
                        break;
                    case "thinking":
                        thinking.Append(String(block, "thinking"));
                        break;
                    case "tool_use" when response.ContentTool is { } contentTool && String(block, "name") == contentTool:
                        // The forced tool of a response_format: its input is the answer.
                        text.Append(ArgumentsText(block.TryGetProperty("input", out var answer) ? answer : default));
                        answeredByTool = true;
                        break;
                    case "tool_use":
                        var input = block.TryGetProperty("input", out var i) ? i : default;
                        choice.ToolCalls.Add(new OpenAiToolCall(
                            String(block, "id") ?? "", String(block, "name") ?? "", ArgumentsText(input)));
                        break;
                    // redacted_thinking, server tool blocks and any type added later have no OpenAI form.
                }
            }
        }
        choice.Content = text.Joined ?? (choice.ToolCalls.Count > 0 ? null : "");
        choice.Reasoning = thinking.Joined;
        var stopReason = String(root, "stop_reason");
        // Claude stopped to call the forced tool; for the client the JSON is a finished answer.
        choice.FinishReason = answeredByTool && stopReason == "tool_use" && choice.ToolCalls.Count == 0
            ? "stop"
            : AnthropicStopReason.ToFinishReason(stopReason);

        TokenUsage? usage = root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? AnthropicUsage.Read(u) : null;
        var model = String(root, "model") ?? response.Model;
        return new TranslatedResponse(OpenAiCompletion.Write(response, model, [choice], usage), usage);
    }

    /// <summary>A tool call's input as OpenAI's arguments: the object's compact JSON text.</summary>
    public static string ArgumentsText(JsonElement input) =>
        input.ValueKind == JsonValueKind.Object ? Encoding.UTF8.GetString(TranslationJson.Write(input.WriteTo)) : "{}";

    /// <summary>
    /// Blocks of text joined in order; null when there were none. One block, as most answers are, is its own string: a builder
    /// would copy a long answer twice more (its buffer, then the string made from it).
    /// </summary>
    private struct JoinedText
    {
        private string? _first;
        private StringBuilder? _more;

        public void Append(string? block)
        {
            block ??= "";
            if (_first is null) _first = block;
            else (_more ??= new StringBuilder(_first)).Append(block);
        }

        public readonly string? Joined => _more?.ToString() ?? _first;
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
