using System.Text.Json.Nodes;

namespace Router.MockUpstream;

/// <summary>A function the conversation offers, as any provider's mock reads it from its own wire format.</summary>
/// <param name="FirstParameter">The first property of its parameter schema, if any.</param>
public sealed record MockTool(string Name, string? FirstParameter);

/// <summary>A tool call the mock makes; <paramref name="Arguments"/> is a JSON object.</summary>
public sealed record MockToolCall(string Name, JsonObject Arguments)
{
    public string ArgumentsJson => Arguments.ToJsonString();
}

/// <summary>
/// What every mock provider answers, decided the same way whatever its wire format, so a test can send
/// one conversation to an OpenAI, an Anthropic and a Gemini mock through the router and expect the same
/// result from each:
/// <list type="bullet">
/// <item>the last message is a tool result: "The tool said: " and the result's words</item>
/// <item>tools are offered (and tool choice is not none): one call of each tool, in order, whose
///   first parameter holds the last user text (several tools: parallel calls)</item>
/// <item>otherwise the last user text, word by word</item>
/// </list>
/// </summary>
public sealed record MockAnswer(IReadOnlyList<string> Words, IReadOnlyList<MockToolCall> ToolCalls)
{
    public bool IsToolCall => ToolCalls.Count > 0;

    public string Text => string.Join(' ', Words);

    /// <summary>The words as streamed, each after the first with its leading space.</summary>
    public IEnumerable<string> Pieces => Words.Select((word, i) => i == 0 ? word : " " + word);

    public static MockAnswer Plan(string lastUserText, IReadOnlyList<MockTool> tools, string? lastToolResult, bool toolsAllowed = true)
    {
        if (lastToolResult is not null) return new MockAnswer(SplitWords("The tool said: " + lastToolResult), []);
        if (tools.Count > 0 && toolsAllowed)
        {
            var calls = tools.Select(tool => new MockToolCall(tool.Name,
                tool.FirstParameter is null ? [] : new JsonObject { [tool.FirstParameter] = lastUserText })).ToList();
            return new MockAnswer([], calls);
        }
        return new MockAnswer(SplitWords(lastUserText), []);
    }

    /// <summary>Prompt tokens as the mocks count them: the last user text's words plus three.</summary>
    public static int PromptTokens(string lastUserText) => SplitWords(lastUserText).Count + 3;

    /// <summary>Completion tokens as the mocks count them: one per word, five per tool call.</summary>
    public int CompletionTokens => Words.Count + 5 * ToolCalls.Count;

    public static List<string> SplitWords(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        return words.Count == 0 ? ["ok"] : words;
    }

    /// <summary>The first property name of a JSON Schema object, if it has any.</summary>
    public static string? FirstProperty(JsonNode? schema) =>
        schema?["properties"] is JsonObject properties ? properties.Select(p => p.Key).FirstOrDefault() : null;
}
