using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation.Responses;

/// <summary>A chat completion as a Responses <c>response</c>: reasoning, the message and each tool call as output items.</summary>
public static class ResponsesAnswer
{
    public static byte[] FromCompletion(ReadOnlySpan<byte> completion, TokenUsage? usage, ResponseContext response)
    {
        using var document = JsonDocument.Parse(completion.ToArray());
        var root = document.RootElement;
        var draft = new ResponseDraft(ResponseDraft.ResponseId(response.Id), response.Created, Text(root, "model") ?? response.Model, response.Request)
        {
            Usage = usage,
        };
        var choice = root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0 ? choices[0] : default;
        var message = choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("message", out var m) ? m : default;
        if ((Text(message, "reasoning_content") ?? Text(message, "reasoning")) is { Length: > 0 } reasoning)
            draft.Output.Add(new ReasoningItem(draft.ItemId("rs", draft.Output.Count), reasoning));
        if ((Text(message, "content") ?? Text(message, "refusal")) is { Length: > 0 } text)
            draft.Output.Add(new MessageItem(draft.ItemId("msg", draft.Output.Count), text));
        if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            foreach (var call in calls.EnumerateArray())
            {
                var function = call.TryGetProperty("function", out var f) ? f : default;
                draft.Output.Add(new FunctionCallItem(draft.ItemId("fc", draft.Output.Count), Text(call, "id") ?? "", Text(function, "name") ?? "",
                    Text(function, "arguments") ?? "{}"));
            }
        draft.Finish(Text(choice, "finish_reason"));
        return TranslationJson.Write(draft.Write);
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
