using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation.Responses;

/// <summary>
/// A Responses conversation as input items: what a stored response continues from, and what a request adds to it. An
/// answer's output items are valid input as they are (a message with its <c>output_text</c>, a function call).
/// </summary>
public static class ResponsesConversation
{
    /// <summary>The request's <c>input</c> as items: a string is one user message.</summary>
    public static IReadOnlyList<JsonElement> InputItems(JsonElement request)
    {
        var input = request.GetProperty("input");
        if (input.ValueKind != JsonValueKind.String) return input.EnumerateArray().Select(i => i.Clone()).ToList();
        using var message = JsonDocument.Parse(TranslationJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("role", "user");
            json.WriteString("content", input.GetString());
            json.WriteEndObject();
        }));
        return [message.RootElement.Clone()];
    }

    /// <summary>A response's <c>output</c> items.</summary>
    public static IReadOnlyList<JsonElement> OutputItems(JsonElement response) =>
        response.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Array
            ? output.EnumerateArray().Select(i => i.Clone()).ToList()
            : [];

    /// <summary>
    /// A request continuing a response the router stored, written for a provider that keeps no such state (OpenAI does
    /// not know the router's ids): the conversation's items before the request's own, and no <c>previous_response_id</c>.
    /// </summary>
    public static byte[] Inline(ProxyRequest request, IReadOnlyList<JsonElement> conversation, string upstreamModel)
    {
        var body = ClientBytes.Of(request);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        return TranslationJson.Write(json =>
        {
            json.WriteStartObject();
            foreach (var field in root.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "previous_response_id":
                        continue;
                    case "model":
                        json.WriteString("model", upstreamModel);
                        continue;
                    case "input":
                        json.WriteStartArray("input");
                        foreach (var item in conversation.Concat(InputItems(root))) item.WriteAsWritten(json);
                        json.WriteEndArray();
                        continue;
                    default:
                        field.WriteAsWritten(json);
                        continue;
                }
            }
            json.WriteEndObject();
        });
    }
}
