using System.Text.Json;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// Writes an OpenAI chat request as the body of Anthropic's <c>POST /v1/messages</c>: system and
/// developer messages become the top-level <c>system</c>, tool calls become <c>tool_use</c> blocks and
/// tool messages <c>tool_result</c> blocks in a user turn, and neighbouring turns of one role merge,
/// since Anthropic wants user and assistant turns to alternate.
/// </summary>
public static class AnthropicRequestWriter
{
    private static readonly JsonElement EmptySchema = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement;

    public static byte[] Write(ProxyRequest request, CallContext call, ProviderSettings settings)
    {
        if (ChatRequestReader.Int(request, "n") is > 1)
            throw RouterError.InvalidRequest(
                $"Provider '{settings.Name}' speaks Anthropic's Messages API, which returns one choice; 'n' must be 1.", "n");

        var messages = ChatRequestReader.Messages(request);
        var system = new List<string>();
        var turns = new List<Turn>();
        foreach (var message in messages)
        {
            switch (message.Role)
            {
                case "system" or "developer":
                    if (message.Text.Length > 0) system.Add(message.Text);
                    continue;
                case "tool":
                    Add(turns, "user", [new ToolResult(message)]);
                    continue;
                case "assistant":
                    Add(turns, "assistant", [.. Parts(message.Parts), .. message.ToolCalls.Select(c => (Block)new ToolUse(c))]);
                    continue;
                default:
                    Add(turns, "user", Parts(message.Parts));
                    continue;
            }
        }

        var tools = ChatRequestReader.Tools(request);
        var toolChoice = ChatRequestReader.ToolChoice(request);
        var stop = ChatRequestReader.Stop(request);
        var parallel = request.Field("parallel_tool_calls") is not { ValueKind: JsonValueKind.False };

        return TranslationJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("model", call.UpstreamModel);
            json.WriteNumber("max_tokens", ChatRequestReader.MaxTokens(request) ?? settings.DefaultMaxTokens);
            WriteSystem(json, system);
            json.WriteStartArray("messages");
            foreach (var turn in turns)
            {
                json.WriteStartObject();
                json.WriteString("role", turn.Role);
                json.WriteStartArray("content");
                foreach (var block in turn.Blocks) block.Write(json);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (tools.Count > 0)
            {
                WriteTools(json, tools);
                WriteToolChoice(json, toolChoice, parallel);
            }
            if (stop.Count > 0)
            {
                json.WriteStartArray("stop_sequences");
                foreach (var sequence in stop) json.WriteStringValue(sequence);
                json.WriteEndArray();
            }
            if (ChatRequestReader.Number(request, "temperature") is { } temperature) json.WriteNumber("temperature", temperature);
            if (ChatRequestReader.Number(request, "top_p") is { } topP) json.WriteNumber("top_p", topP);
            if (request.Field("user") is { ValueKind: JsonValueKind.String } user)
            {
                json.WriteStartObject("metadata");
                json.WriteString("user_id", user.GetString());
                json.WriteEndObject();
            }
            if (call.Streaming) json.WriteBoolean("stream", true);
            json.WriteEndObject();
        });
    }

    private static void WriteSystem(Utf8JsonWriter json, List<string> system)
    {
        switch (system.Count)
        {
            case 0:
                return;
            case 1:
                json.WriteString("system", system[0]);
                return;
            default:
                json.WriteStartArray("system");
                foreach (var text in system) new Text(text).Write(json);
                json.WriteEndArray();
                return;
        }
    }

    private static void WriteTools(Utf8JsonWriter json, IReadOnlyList<ToolDefinition> tools)
    {
        json.WriteStartArray("tools");
        foreach (var tool in tools)
        {
            json.WriteStartObject();
            json.WriteString("name", tool.Name);
            if (tool.Description is not null) json.WriteString("description", tool.Description);
            json.WritePropertyName("input_schema");
            (tool.Parameters ?? EmptySchema).WriteTo(json);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>
    /// OpenAI's auto, required, a named function and none are Anthropic's auto, any, tool and none.
    /// <c>parallel_tool_calls: false</c> is Anthropic's <c>disable_parallel_tool_use</c>, which lives in
    /// the tool choice (and means nothing for none). A tool choice without tools is left out.
    /// </summary>
    private static void WriteToolChoice(Utf8JsonWriter json, ToolChoice? choice, bool parallel)
    {
        var mode = choice?.Mode ?? ToolChoiceMode.Auto;
        if (choice is null && parallel) return; // auto is Anthropic's default too
        json.WriteStartObject("tool_choice");
        json.WriteString("type", mode switch
        {
            ToolChoiceMode.None => "none",
            ToolChoiceMode.Required => "any",
            ToolChoiceMode.Function => "tool",
            _ => "auto",
        });
        if (mode == ToolChoiceMode.Function) json.WriteString("name", choice!.FunctionName);
        if (!parallel && mode != ToolChoiceMode.None) json.WriteBoolean("disable_parallel_tool_use", true);
        json.WriteEndObject();
    }

    private static List<Block> Parts(IReadOnlyList<ContentPart> parts)
    {
        var blocks = new List<Block>(parts.Count);
        foreach (var part in parts)
        {
            switch (part)
            {
                case TextPart { Text.Length: > 0 } text: // Anthropic refuses empty text blocks
                    blocks.Add(new Text(text.Text));
                    break;
                case ImagePart image:
                    blocks.Add(new Image(image));
                    break;
            }
        }
        return blocks;
    }

    /// <summary>Appends blocks to the last turn when it has the same role, else starts a turn; a turn with no blocks is left out.</summary>
    private static void Add(List<Turn> turns, string role, List<Block> blocks)
    {
        if (blocks.Count == 0) return;
        if (turns.Count > 0 && turns[^1].Role == role) turns[^1].Blocks.AddRange(blocks);
        else turns.Add(new Turn(role, blocks));
    }

    private sealed record Turn(string Role, List<Block> Blocks);

    private abstract record Block
    {
        public abstract void Write(Utf8JsonWriter json);
    }

    private sealed record Text(string Value) : Block
    {
        public override void Write(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("type", "text");
            json.WriteString("text", Value);
            json.WriteEndObject();
        }
    }

    private sealed record Image(ImagePart Part) : Block
    {
        public override void Write(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("type", "image");
            json.WriteStartObject("source");
            if (Part.IsInline)
            {
                json.WriteString("type", "base64");
                json.WriteString("media_type", Part.MediaType);
                json.WriteString("data", Part.Base64Data);
            }
            else
            {
                json.WriteString("type", "url");
                json.WriteString("url", Part.Url);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }

    private sealed record ToolUse(OpenAiToolCall Call) : Block
    {
        // Parsed when the turn is read, so malformed arguments are refused before anything is written.
        private readonly JsonElement _input = ChatRequestReader.ArgumentsObject(Call);

        public override void Write(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("type", "tool_use");
            json.WriteString("id", Call.Id);
            json.WriteString("name", Call.Name);
            json.WritePropertyName("input");
            _input.WriteTo(json);
            json.WriteEndObject();
        }
    }

    /// <summary>A tool message's answer: its text as the content, or text and image blocks when it holds images.</summary>
    private sealed record ToolResult(ChatMessage Message) : Block
    {
        public override void Write(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("type", "tool_result");
            json.WriteString("tool_use_id", Message.ToolCallId);
            if (Message.Parts.Any(p => p is ImagePart))
            {
                json.WriteStartArray("content");
                foreach (var block in Parts(Message.Parts)) block.Write(json);
                json.WriteEndArray();
            }
            else
            {
                json.WriteString("content", Message.Text);
            }
            json.WriteEndObject();
        }
    }
}
