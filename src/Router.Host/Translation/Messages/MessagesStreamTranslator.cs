using System.Buffers;
using System.Text.Json;

namespace Router.Host.Translation.Messages;

/// <summary>
/// The router's OpenAI chunk stream as Anthropic's event stream: <c>message_start</c>, then one content
/// block at a time (<c>content_block_start</c>, its deltas, <c>content_block_stop</c>) for reasoning, text
/// and each tool call, then <c>message_delta</c> with the stop reason and usage, and <c>message_stop</c>.
/// An error event ends the stream as Anthropic's <c>error</c> event.
/// </summary>
public sealed class MessagesStreamTranslator(string messageId, string requestedModel) : IChunkTranslator
{
    private enum Block { None, Thinking, Text, Tool }

    private bool _started;
    private Block _open = Block.None;
    private int _index = -1;
    private string? _stopReason;
    private string? _model;
    private JsonElement _usage;

    public bool Finished { get; private set; }

    /// <summary>Translates the <c>data</c> of one OpenAI event into the events to send, in order.</summary>
    public void Accept(ReadOnlySpan<byte> data, List<byte[]> events)
    {
        if (Finished) return;
        if (data.SequenceEqual("[DONE]"u8))
        {
            Finish(events);
            return;
        }
        using var document = JsonDocument.Parse(data.ToArray());
        var chunk = document.RootElement;
        if (chunk.TryGetProperty("error", out var error))
        {
            events.Add(ErrorEvent(error));
            Finished = true;
            return;
        }

        if (chunk.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String) _model ??= model.GetString();
        Start(events);
        if (chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object) _usage = usage.Clone();
        if (!chunk.TryGetProperty("choices", out var choices) || choices.GetArrayLength() == 0) return;
        var choice = choices[0];
        if (choice.TryGetProperty("delta", out var delta)) AcceptDelta(delta, events);
        if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
            _stopReason = MessagesResponses.StopReason(finish.GetString());
    }

    /// <summary>The router's error event (OpenAI's <c>{"error":{…}}</c> chunk) as Anthropic's <c>error</c> event.</summary>
    public static byte[] ErrorEvent(JsonElement error)
    {
        var status = error.TryGetProperty("upstream_status", out var upstream) && upstream.ValueKind == JsonValueKind.Number ? upstream.GetInt32() : 500;
        return Event("error", json =>
        {
            json.WriteString("type", "error");
            MessagesResponses.WriteError(json, status, error);
        });
    }

    /// <summary>Closes the message when the stream ended without <c>[DONE]</c> having been seen.</summary>
    public void Finish(List<byte[]> events)
    {
        if (Finished) return;
        Start(events);
        Close(events);
        events.Add(Event("message_delta", json =>
        {
            json.WriteString("type", "message_delta");
            json.WriteStartObject("delta");
            json.WriteString("stop_reason", _stopReason ?? "end_turn");
            json.WriteNull("stop_sequence");
            json.WriteEndObject();
            MessagesResponses.WriteUsage(json, _usage, outputOnly: true);
        }));
        events.Add(Event("message_stop", json => json.WriteString("type", "message_stop")));
        Finished = true;
    }

    private void AcceptDelta(JsonElement delta, List<byte[]> events)
    {
        if (Text(delta, "reasoning_content") is { Length: > 0 } thinking)
        {
            Open(Block.Thinking, events, json =>
            {
                json.WriteString("type", "thinking");
                json.WriteString("thinking", "");
            });
            Delta(events, "thinking_delta", "thinking", thinking);
        }
        if ((Text(delta, "content") ?? Text(delta, "refusal")) is { Length: > 0 } text)
        {
            Open(Block.Text, events, json =>
            {
                json.WriteString("type", "text");
                json.WriteString("text", "");
            });
            Delta(events, "text_delta", "text", text);
        }
        if (!delta.TryGetProperty("tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array) return;
        foreach (var call in calls.EnumerateArray())
        {
            var function = call.TryGetProperty("function", out var f) ? f : default;
            if (Text(call, "id") is { } id)
            {
                // A call's first delta names it: a new tool_use block.
                Close(events);
                Open(Block.Tool, events, json =>
                {
                    json.WriteString("type", "tool_use");
                    json.WriteString("id", id);
                    json.WriteString("name", Text(function, "name") ?? "");
                    json.WriteStartObject("input");
                    json.WriteEndObject();
                });
            }
            if (_open == Block.Tool && Text(function, "arguments") is { Length: > 0 } arguments)
                Delta(events, "input_json_delta", "partial_json", arguments);
        }
    }

    private void Start(List<byte[]> events)
    {
        if (_started) return;
        _started = true;
        events.Add(Event("message_start", json =>
        {
            json.WriteString("type", "message_start");
            json.WriteStartObject("message");
            json.WriteString("id", messageId);
            json.WriteString("type", "message");
            json.WriteString("role", "assistant");
            json.WriteString("model", _model ?? requestedModel);
            json.WriteStartArray("content");
            json.WriteEndArray();
            json.WriteNull("stop_reason");
            json.WriteNull("stop_sequence");
            // The prompt's count comes with OpenAI's last chunk: message_delta carries it.
            json.WriteStartObject("usage");
            json.WriteNumber("input_tokens", 0);
            json.WriteNumber("output_tokens", 0);
            json.WriteEndObject();
            json.WriteEndObject();
        }));
    }

    private void Open(Block kind, List<byte[]> events, Action<Utf8JsonWriter> writeBlock)
    {
        if (_open == kind) return; // a tool call's block is closed before the next one opens
        Close(events);
        _open = kind;
        _index++;
        var index = _index;
        events.Add(Event("content_block_start", json =>
        {
            json.WriteString("type", "content_block_start");
            json.WriteNumber("index", index);
            json.WriteStartObject("content_block");
            writeBlock(json);
            json.WriteEndObject();
        }));
    }

    private void Close(List<byte[]> events)
    {
        if (_open == Block.None) return;
        _open = Block.None;
        var index = _index;
        events.Add(Event("content_block_stop", json =>
        {
            json.WriteString("type", "content_block_stop");
            json.WriteNumber("index", index);
        }));
    }

    private void Delta(List<byte[]> events, string type, string field, string value)
    {
        var index = _index;
        events.Add(Event("content_block_delta", json =>
        {
            json.WriteString("type", "content_block_delta");
            json.WriteNumber("index", index);
            json.WriteStartObject("delta");
            json.WriteString("type", type);
            json.WriteString(field, value);
            json.WriteEndObject();
        }));
    }

    /// <summary>One Anthropic event: <c>event: name</c>, then its JSON object as <c>data</c>.</summary>
    private static byte[] Event(string name, Action<Utf8JsonWriter> writeFields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write("event: "u8);
        buffer.Write(System.Text.Encoding.UTF8.GetBytes(name));
        buffer.Write("\ndata: "u8);
        using (var json = new Utf8JsonWriter(buffer, TranslationJson.WriterOptions))
        {
            json.WriteStartObject();
            writeFields(json);
            json.WriteEndObject();
        }
        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
