using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation;

/// <summary>One choice of a translated answer, in OpenAI's terms.</summary>
public sealed class OpenAiChoice
{
    public int Index { get; init; }
    /// <summary>The text; null when the answer is only tool calls (OpenAI then sends <c>"content": null</c>).</summary>
    public string? Content { get; set; }
    public string? Reasoning { get; set; }
    public string? Refusal { get; set; }
    public List<OpenAiToolCall> ToolCalls { get; } = [];
    public string FinishReason { get; set; } = "stop";
    /// <summary>Extra properties written into the choice, e.g. the provider's own reason for a content filter stop.</summary>
    public Action<Utf8JsonWriter>? Details { get; set; }
    /// <summary>Writes the choice's <c>logprobs</c> value when the client asked for them; null writes <c>null</c>.</summary>
    public Action<Utf8JsonWriter>? Logprobs { get; set; }
}

/// <summary>A complete tool call: <paramref name="Arguments"/> is the JSON text of the arguments.</summary>
public sealed record OpenAiToolCall(string Id, string Name, string Arguments);

/// <summary>Writes a translated non-streamed answer as OpenAI's <c>chat.completion</c> object.</summary>
public static class OpenAiCompletion
{
    /// <param name="details">Extra top-level properties, e.g. a provider's prompt feedback.</param>
    public static byte[] Write(
        ResponseContext response, string model, IReadOnlyList<OpenAiChoice> choices, TokenUsage? usage,
        Action<Utf8JsonWriter>? details = null) =>
        TranslationJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", response.Id);
            json.WriteString("object", "chat.completion");
            json.WriteNumber("created", response.Created);
            json.WriteString("model", model);
            json.WriteStartArray("choices");
            foreach (var choice in choices) WriteChoice(json, choice);
            json.WriteEndArray();
            if (usage is not null) OpenAiUsage.Write(json, usage);
            details?.Invoke(json);
            json.WriteEndObject();
        });

    private static void WriteChoice(Utf8JsonWriter json, OpenAiChoice choice)
    {
        json.WriteStartObject();
        json.WriteNumber("index", choice.Index);
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        if (choice.Content is null) json.WriteNull("content");
        else json.WriteString("content", choice.Content);
        if (choice.Reasoning is not null) json.WriteString("reasoning_content", choice.Reasoning);
        if (choice.Refusal is not null) json.WriteString("refusal", choice.Refusal);
        if (choice.ToolCalls.Count > 0)
        {
            json.WriteStartArray("tool_calls");
            foreach (var call in choice.ToolCalls)
            {
                json.WriteStartObject();
                json.WriteString("id", call.Id);
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", call.Name);
                json.WriteString("arguments", call.Arguments);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WritePropertyName("logprobs");
        if (choice.Logprobs is { } logprobs) logprobs(json);
        else json.WriteNullValue();
        json.WriteString("finish_reason", choice.FinishReason);
        choice.Details?.Invoke(json);
        json.WriteEndObject();
    }
}
