using System.Text.Json;

namespace Router.Host.Translation;

/// <summary>
/// One entry of an assistant message's chat <c>tool_calls</c>, whatever it was translated from (a Responses
/// <c>function_call</c> item, an Anthropic <c>tool_use</c> block, a provider's streamed call): the chat API's shape in
/// one place. A streamed chunk's call also carries its <c>index</c>.
/// </summary>
public static class ChatToolCall
{
    public static void Write(Utf8JsonWriter json, string id, string name, string arguments, int? index = null)
    {
        json.WriteStartObject();
        if (index is { } position) json.WriteNumber("index", position);
        json.WriteString("id", id);
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", name);
        json.WriteString("arguments", arguments);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
