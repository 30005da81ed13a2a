using System.Buffers;
using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation.Responses;

/// <summary>
/// The router's chat chunk stream as the Responses event sequence: <c>response.created</c> and
/// <c>response.in_progress</c>, then per output item <c>response.output_item.added</c>, its deltas (reasoning summary,
/// <c>response.content_part.added</c> and <c>response.output_text.delta</c>, or
/// <c>response.function_call_arguments.delta</c>) and their <c>…done</c> events, and <c>response.completed</c> (or
/// <c>response.incomplete</c>) with the whole response and its usage. Every event carries its <c>sequence_number</c>.
/// </summary>
public sealed class ResponsesStreamTranslator(ResponseContext context) : IChunkTranslator
{
    private readonly ResponseDraft _draft = new(ResponseDraft.ResponseId(context.Id), context.Created, context.Model, context.Request);
    private OutputItem? _open;
    private readonly StringBuilder _openText = new();
    private string? _finishReason;
    private int _sequence;
    private bool _started;

    public bool Finished { get; private set; }

    /// <summary>The events one chat chunk (the <c>data</c> of an SSE event) becomes.</summary>
    public void Accept(ReadOnlySpan<byte> data, List<byte[]> events)
    {
        if (Finished) return;
        if (data.SequenceEqual("[DONE]"u8))
        {
            Complete(events);
            return;
        }
        using var document = JsonDocument.Parse(data.ToArray());
        var chunk = document.RootElement;
        if (Text(chunk, "model") is { Length: > 0 } model) _draft.Model = model;
        Start(events);
        if (chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object) _draft.Usage = UsageOf(usage);
        if (!chunk.TryGetProperty("choices", out var choices) || choices.GetArrayLength() == 0) return;
        var choice = choices[0];
        if (choice.TryGetProperty("delta", out var delta)) AcceptDelta(delta, events);
        if (Text(choice, "finish_reason") is { } finish) _finishReason = finish;
    }

    private void AcceptDelta(JsonElement delta, List<byte[]> events)
    {
        if ((Text(delta, "reasoning_content") ?? Text(delta, "reasoning")) is { Length: > 0 } reasoning)
        {
            if (_open is not ReasoningItem) Open(new ReasoningItem(NextId("rs"), ""), events);
            AppendDelta(events, "response.reasoning_summary_text.delta", "summary_index", reasoning);
        }
        if ((Text(delta, "content") ?? Text(delta, "refusal")) is { Length: > 0 } text)
        {
            if (_open is not MessageItem) Open(new MessageItem(NextId("msg"), ""), events);
            AppendDelta(events, "response.output_text.delta", "content_index", text);
        }
        if (!delta.TryGetProperty("tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array) return;
        foreach (var call in calls.EnumerateArray())
        {
            var function = call.TryGetProperty("function", out var f) ? f : default;
            if (Text(call, "id") is { } callId) Open(new FunctionCallItem(NextId("fc"), callId, Text(function, "name") ?? "", ""), events);
            if (_open is FunctionCallItem && Text(function, "arguments") is { Length: > 0 } arguments)
                AppendDelta(events, "response.function_call_arguments.delta", indexName: null, arguments);
        }
    }

    /// <summary>
    /// Adds a delta to the open item and sends it: the item's place, its part index where the event has one
    /// (a function call's arguments have none), and the delta. Written without a closure: this runs per chunk.
    /// </summary>
    private void AppendDelta(List<byte[]> events, string type, string? indexName, string delta)
    {
        _openText.Append(delta);
        events.Add(Event(type, _sequence++, (Translator: this, IndexName: indexName, Delta: delta), static (json, state) =>
        {
            state.Translator.Locate(json);
            if (state.IndexName is not null) json.WriteNumber(state.IndexName, 0);
            json.WriteString("delta", state.Delta);
        }));
    }

    private string NextId(string kind) => _draft.ItemId(kind, _draft.Output.Count + (_open is null ? 0 : 1));

    private void Start(List<byte[]> events)
    {
        if (_started) return;
        _started = true;
        Emit(events, "response.created", json => { json.WritePropertyName("response"); _draft.Write(json); });
        Emit(events, "response.in_progress", json => { json.WritePropertyName("response"); _draft.Write(json); });
    }

    private void Open(OutputItem item, List<byte[]> events)
    {
        Close(events);
        _open = item;
        _openText.Clear();
        Emit(events, "response.output_item.added", json =>
        {
            json.WriteNumber("output_index", _draft.Output.Count);
            json.WritePropertyName("item");
            ResponseDraft.WriteItem(json, item, "in_progress");
        });
        if (item is MessageItem)
            Emit(events, "response.content_part.added", json =>
            {
                Locate(json);
                json.WriteNumber("content_index", 0);
                json.WritePropertyName("part");
                ResponseDraft.WriteTextPart(json, "");
            });
        if (item is ReasoningItem)
            Emit(events, "response.reasoning_summary_part.added", json =>
            {
                Locate(json);
                json.WriteNumber("summary_index", 0);
                json.WriteStartObject("part");
                json.WriteString("type", "summary_text");
                json.WriteString("text", "");
                json.WriteEndObject();
            });
    }

    /// <summary>Ends the open item with its <c>…done</c> events, which repeat its whole text.</summary>
    private void Close(List<byte[]> events)
    {
        if (_open is null) return;
        var text = _openText.ToString();
        OutputItem done = _open switch
        {
            ReasoningItem r => r with { Text = text },
            MessageItem m => m with { Text = text },
            FunctionCallItem c => c with { Arguments = text },
            _ => _open,
        };
        switch (done)
        {
            case ReasoningItem:
                Emit(events, "response.reasoning_summary_text.done", json => { Locate(json); json.WriteNumber("summary_index", 0); json.WriteString("text", text); });
                break;
            case MessageItem:
                Emit(events, "response.output_text.done", json => { Locate(json); json.WriteNumber("content_index", 0); json.WriteString("text", text); });
                Emit(events, "response.content_part.done", json =>
                {
                    Locate(json);
                    json.WriteNumber("content_index", 0);
                    json.WritePropertyName("part");
                    ResponseDraft.WriteTextPart(json, text);
                });
                break;
            case FunctionCallItem:
                Emit(events, "response.function_call_arguments.done", json => { Locate(json); json.WriteString("arguments", text); });
                break;
        }
        Emit(events, "response.output_item.done", json =>
        {
            json.WriteNumber("output_index", _draft.Output.Count);
            json.WritePropertyName("item");
            ResponseDraft.WriteItem(json, done, "completed");
        });
        _draft.Output.Add(done);
        _open = null;
    }

    /// <summary>Closes what is open and sends the whole response: <c>response.completed</c>, or <c>response.incomplete</c> when cut by length or a filter.</summary>
    public void Complete(List<byte[]> events)
    {
        if (Finished) return;
        Start(events);
        Close(events);
        _draft.Finish(_finishReason);
        Emit(events, _draft.Status == "completed" ? "response.completed" : "response.incomplete", json =>
        {
            json.WritePropertyName("response");
            _draft.Write(json);
        });
        Finished = true;
    }

    /// <summary>The open item's id and place, which every delta and done event names.</summary>
    private void Locate(Utf8JsonWriter json)
    {
        json.WriteString("item_id", _open!.Id);
        json.WriteNumber("output_index", _draft.Output.Count);
    }

    private void Emit(List<byte[]> events, string type, Action<Utf8JsonWriter> fields) => events.Add(Event(type, _sequence++, fields));

    /// <summary>One Responses event: <c>event: type</c>, then its JSON with <c>type</c> and <c>sequence_number</c>.</summary>
    public static byte[] Event(string type, int sequence, Action<Utf8JsonWriter> fields) =>
        Event(type, sequence, fields, static (json, write) => write(json));

    /// <summary>As above, with the fields written from a state rather than a closure over it.</summary>
    public static byte[] Event<TState>(string type, int sequence, TState state, Action<Utf8JsonWriter, TState> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write("event: "u8);
        buffer.Write(Encoding.UTF8.GetBytes(type));
        buffer.Write("\ndata: "u8);
        using (var json = new Utf8JsonWriter(buffer, TranslationJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type", type);
            json.WriteNumber("sequence_number", sequence);
            fields(json, state);
            json.WriteEndObject();
        }
        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static TokenUsage UsageOf(JsonElement usage) => new(
        Int(usage, "prompt_tokens"), Int(usage, "completion_tokens"),
        usage.TryGetProperty("prompt_tokens_details", out var prompt) ? Int(prompt, "cached_tokens") : 0, 0,
        usage.TryGetProperty("completion_tokens_details", out var completion) ? Int(completion, "reasoning_tokens") : 0);

    private static int Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.TryGetInt32(out var n) ? n : 0;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
