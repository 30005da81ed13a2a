using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// Turns the Messages API event stream (<c>message_start</c>, then per content block
/// <c>content_block_start</c> / <c>_delta</c> / <c>_stop</c>, then <c>message_delta</c> and
/// <c>message_stop</c>, with <c>ping</c> and <c>error</c> anywhere) into OpenAI chunks. Each event's
/// data names its own type, so the <c>event:</c> line is not needed. Event types this translator does
/// not know are skipped, as Anthropic asks of clients.
/// </summary>
public sealed class AnthropicStreamTranslator(ResponseContext response) : IStreamTranslator
{
    private readonly OpenAiChunks _chunks = new(response);
    // Anthropic numbers all content blocks; OpenAI numbers tool calls only.
    private readonly Dictionary<int, int> _toolIndexByBlock = [];
    // The blocks of the forced tool of a response_format: their input streams as the answer's content.
    private readonly HashSet<int> _contentToolBlocks = [];
    private AnthropicUsage _usage;
    private bool _started;
    private bool _finishSent;
    private StreamSignal? _ended;

    public TokenUsage? Usage => _started ? _usage.ToTokenUsage() : null;

    public ProviderStreamError? Error { get; private set; }

    public StreamSignal Accept(SseEvent upstream, List<byte[]> frames)
    {
        if (_ended is { } ended) return ended;
        if (!upstream.HasData) return StreamSignal.Continue;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(upstream.Data);
        }
        catch (JsonException)
        {
            Error = new ProviderStreamError(502, upstream.Data.ToArray());
            return End(StreamSignal.Failed);
        }
        using (document)
        {
            var data = document.RootElement;
            switch (String(data, "type"))
            {
                case "message_start":
                    MessageStart(data, frames);
                    return StreamSignal.Continue;
                case "content_block_start":
                    BlockStart(data, frames);
                    return StreamSignal.Continue;
                case "content_block_delta":
                    BlockDelta(data, frames);
                    return StreamSignal.Continue;
                case "message_delta":
                    MessageDelta(data, frames);
                    return StreamSignal.Continue;
                case "message_stop":
                    if (!_finishSent) frames.Add(_chunks.Finish("stop"));
                    _chunks.Close(frames, Usage);
                    return End(StreamSignal.Finished);
                case "error":
                    Error = new ProviderStreamError(AnthropicErrors.Status(data), upstream.Data.ToArray());
                    return End(StreamSignal.Failed);
                default: // ping, content_block_stop, and any event added later
                    return StreamSignal.Continue;
            }
        }
    }

    public StreamSignal End(List<byte[]> frames) => _ended ?? End(StreamSignal.Failed);

    private StreamSignal End(StreamSignal signal)
    {
        _ended = signal;
        return signal;
    }

    private void MessageStart(JsonElement data, List<byte[]> frames)
    {
        if (data.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
        {
            if (String(message, "model") is { Length: > 0 } model) _chunks.Model = model;
            if (message.TryGetProperty("usage", out var usage)) _usage.Update(usage);
        }
        _started = true;
        frames.Add(_chunks.Role());
    }

    private void BlockStart(JsonElement data, List<byte[]> frames)
    {
        if (!data.TryGetProperty("content_block", out var block)) return;
        switch (String(block, "type"))
        {
            case "text" when String(block, "text") is { Length: > 0 } text:
                frames.Add(_chunks.Content(text));
                break;
            case "thinking" when String(block, "thinking") is { Length: > 0 } thinking:
                frames.Add(_chunks.Reasoning(thinking));
                break;
            case "tool_use" when response.ContentTool is { } contentTool && String(block, "name") == contentTool:
                _contentToolBlocks.Add(Index(data));
                break;
            case "tool_use":
                var toolIndex = _toolIndexByBlock.Count;
                _toolIndexByBlock[Index(data)] = toolIndex;
                frames.Add(_chunks.ToolCallStart(toolIndex, String(block, "id") ?? "", String(block, "name") ?? ""));
                break;
        }
    }

    private void BlockDelta(JsonElement data, List<byte[]> frames)
    {
        if (!data.TryGetProperty("delta", out var delta)) return;
        switch (String(delta, "type"))
        {
            case "text_delta" when String(delta, "text") is { Length: > 0 } text:
                frames.Add(_chunks.Content(text));
                break;
            case "thinking_delta" when String(delta, "thinking") is { Length: > 0 } thinking:
                frames.Add(_chunks.Reasoning(thinking));
                break;
            case "input_json_delta" when String(delta, "partial_json") is { Length: > 0 } answer && _contentToolBlocks.Contains(Index(data)):
                frames.Add(_chunks.Content(answer));
                break;
            case "input_json_delta" when String(delta, "partial_json") is { Length: > 0 } json
                                         && _toolIndexByBlock.TryGetValue(Index(data), out var toolIndex):
                frames.Add(_chunks.ToolCallArguments(toolIndex, json));
                break;
            // signature_delta verifies a thinking block; citations_delta has no OpenAI form.
        }
    }

    private void MessageDelta(JsonElement data, List<byte[]> frames)
    {
        if (data.TryGetProperty("usage", out var usage)) _usage.Update(usage);
        if (!_finishSent && data.TryGetProperty("delta", out var delta) && String(delta, "stop_reason") is { } stopReason)
        {
            // Claude stopped to call the forced tool; for the client the JSON is a finished answer.
            var answeredByTool = stopReason == "tool_use" && _contentToolBlocks.Count > 0 && _toolIndexByBlock.Count == 0;
            frames.Add(_chunks.Finish(answeredByTool ? "stop" : AnthropicStopReason.ToFinishReason(stopReason)));
            _finishSent = true;
        }
    }

    private static int Index(JsonElement data) =>
        data.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var i) ? i : -1;

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
