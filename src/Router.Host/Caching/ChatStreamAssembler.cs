using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Translation;

namespace Router.Host.Caching;

/// <summary>
/// Builds the <c>chat.completion</c> body a streamed answer amounts to, from the OpenAI
/// <c>chat.completion.chunk</c> SSE frames the client was sent (<c>data: {…}\n\n</c>; comments, other SSE
/// fields and <c>[DONE]</c> are allowed). Per choice it joins <c>content</c>, <c>reasoning_content</c> and
/// <c>refusal</c>, merges <c>tool_calls</c> by index (the first id, type and name; the arguments joined), and
/// keeps <c>finish_reason</c>; <c>id</c>, <c>model</c>, <c>created</c> and <c>system_fingerprint</c> come from
/// the first chunk that has them. A stream that carried an error, a frame that is not JSON, or a choice
/// without a <c>finish_reason</c> yields no body: a partial answer is never cached.
/// </summary>
public sealed class ChatStreamAssembler
{
    private sealed class Choice
    {
        public StringBuilder? Content;
        public StringBuilder? Reasoning;
        public StringBuilder? Refusal;
        public readonly SortedDictionary<int, ToolCall> ToolCalls = [];
        public string? FinishReason;
    }

    private sealed class ToolCall
    {
        public string? Id;
        public string? Name;
        public readonly StringBuilder Arguments = new();
    }

    private readonly SortedDictionary<int, Choice> _choices = [];
    private string? _id;
    private string? _model;
    private long? _created;
    private string? _fingerprint;
    private bool _broken;

    /// <summary>One or more SSE events as sent to the client.</summary>
    public void Add(ReadOnlySpan<byte> frame)
    {
        var text = Encoding.UTF8.GetString(frame);
        StringBuilder? data = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.EndsWith('\r') ? rawLine[..^1] : rawLine;
            if (line.Length == 0)
            {
                if (data is not null) OnData(data.ToString());
                data = null;
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var value = line.AsSpan(5);
                if (value.StartsWith(" ")) value = value[1..];
                if (data is null) data = new StringBuilder().Append(value);
                else data.Append('\n').Append(value);
            }
            // ": comment", "event:", "id:", "retry:" carry nothing to keep.
        }
        if (data is not null) OnData(data.ToString());
    }

    /// <summary>The assembled body with <paramref name="usage"/>, or null unless every choice finished.</summary>
    public byte[]? Complete(TokenUsage usage)
    {
        if (_broken || _choices.Count == 0 || _choices.Values.Any(c => c.FinishReason is null)) return null;
        var choices = _choices.Select(pair =>
        {
            var choice = new OpenAiChoice
            {
                Index = pair.Key,
                Content = pair.Value.Content?.ToString(),
                Reasoning = pair.Value.Reasoning?.ToString(),
                Refusal = pair.Value.Refusal?.ToString(),
                FinishReason = pair.Value.FinishReason!,
            };
            choice.ToolCalls.AddRange(pair.Value.ToolCalls.Values.Select(call =>
                new OpenAiToolCall(call.Id ?? "", call.Name ?? "", call.Arguments.ToString())));
            return choice;
        }).ToList();
        var fingerprint = _fingerprint;
        return OpenAiCompletion.Write(new ResponseContext(_id ?? "", _model ?? "", _created ?? 0, IncludeUsage: false), _model ?? "",
            choices, usage, fingerprint is null ? null : json => json.WriteString("system_fingerprint", fingerprint));
    }

    private void OnData(string data)
    {
        if (_broken || data.Trim() == "[DONE]") return;
        try
        {
            using var document = JsonDocument.Parse(data);
            OnChunk(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            _broken = true;
        }
    }

    private void OnChunk(JsonElement chunk)
    {
        if (chunk.ValueKind != JsonValueKind.Object) { _broken = true; return; }
        if (chunk.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null) { _broken = true; return; }
        if (_id is null && String(chunk, "id") is { } id) _id = id;
        if (_model is null && String(chunk, "model") is { Length: > 0 } model) _model = model;
        if (_created is null && chunk.TryGetProperty("created", out var created) && created.ValueKind == JsonValueKind.Number) _created = created.GetInt64();
        if (_fingerprint is null && String(chunk, "system_fingerprint") is { } fingerprint) _fingerprint = fingerprint;
        if (!chunk.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array) return;
        foreach (var item in choices.EnumerateArray())
        {
            var index = Int(item, "index") ?? 0;
            if (!_choices.TryGetValue(index, out var choice)) _choices[index] = choice = new Choice();
            if (item.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object) OnDelta(choice, delta);
            if (String(item, "finish_reason") is { } finish) choice.FinishReason = finish;
        }
    }

    private static void OnDelta(Choice choice, JsonElement delta)
    {
        if (String(delta, "content") is { } content) (choice.Content ??= new StringBuilder()).Append(content);
        if (String(delta, "reasoning_content") is { } reasoning) (choice.Reasoning ??= new StringBuilder()).Append(reasoning);
        if (String(delta, "refusal") is { } refusal) (choice.Refusal ??= new StringBuilder()).Append(refusal);
        if (!delta.TryGetProperty("tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array) return;
        var position = 0;
        foreach (var item in calls.EnumerateArray())
        {
            var index = Int(item, "index") ?? position;
            position++;
            if (!choice.ToolCalls.TryGetValue(index, out var call)) choice.ToolCalls[index] = call = new ToolCall();
            if (call.Id is null && String(item, "id") is { Length: > 0 } id) call.Id = id;
            if (!item.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object) continue;
            if (call.Name is null && String(function, "name") is { Length: > 0 } name) call.Name = name;
            if (String(function, "arguments") is { } arguments) call.Arguments.Append(arguments);
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;
}
