using System.Text.Json;

namespace Router.Host.Translation.Responses;

/// <summary>
/// A Responses API request as the OpenAI chat request a bridged provider's dialect sends: <c>instructions</c> and
/// the <c>input</c> items become messages (a function call an assistant's tool call, its output a tool message),
/// function tools and <c>tool_choice</c> their chat forms, <c>max_output_tokens</c>, <c>reasoning.effort</c> and
/// <c>text.format</c> their chat fields. What only OpenAI runs (built-in tools, stored items by reference) and
/// what has no chat counterpart is refused with a 400 naming it (<see cref="ResponsesFields"/>).
/// </summary>
public static class ResponsesRequestConverter
{
    /// <param name="history">The items of the conversation so far (a stored response's input and output), before this request's input.</param>
    public static byte[] Convert(JsonElement request, IReadOnlyList<JsonElement> history)
    {
        ResponsesFields.Check(request);
        return TranslationJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("model", request.GetProperty("model").GetString());
            json.WriteStartArray("messages");
            if (request.TryGetProperty("instructions", out var instructions) && instructions.ValueKind == JsonValueKind.String)
            {
                json.WriteStartObject();
                json.WriteString("role", "system");
                json.WriteString("content", instructions.GetString());
                json.WriteEndObject();
            }
            var items = new ResponsesItemWriter(json);
            foreach (var item in history) items.Write(item, "input");
            var input = request.GetProperty("input");
            if (input.ValueKind == JsonValueKind.String) items.WriteUserText(input.GetString()!);
            else
            {
                var index = 0;
                foreach (var item in input.EnumerateArray()) items.Write(item, $"input[{index++}]");
            }
            items.Flush();
            json.WriteEndArray();
            ResponsesFields.WriteMapped(json, request);
            json.WriteEndObject();
        });
    }
}
