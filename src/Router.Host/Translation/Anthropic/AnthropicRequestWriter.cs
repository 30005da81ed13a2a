using System.Text.Json;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// Writes an OpenAI chat request as the body of Anthropic's <c>POST /v1/messages</c>: system and
/// developer messages become the top-level <c>system</c>, tool calls become <c>tool_use</c> blocks and
/// tool messages <c>tool_result</c> blocks in a user turn, and neighbouring turns of one role merge,
/// since Anthropic wants user and assistant turns to alternate. Thinking, structured output and prompt
/// caching have their own files; a field with no counterpart goes to <see cref="UnmappedFields"/>.
/// </summary>
public static class AnthropicRequestWriter
{
    private const string Api = "Anthropic's Messages API";

    /// <summary>The OpenAI chat fields this translation carries to Anthropic (some only for some values).</summary>
    public static readonly IReadOnlySet<string> Mapped = new HashSet<string>(StringComparer.Ordinal)
    {
        "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "stop", "tools", "tool_choice",
        "parallel_tool_calls", "user", "safety_identifier", "response_format", "reasoning_effort", "thinking", "n", "logprobs",
        "service_tier",
    };

    private static readonly JsonElement EmptySchema = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement;

    public static WrittenRequest Write(ProxyRequest request, CallContext call, ProviderSettings settings)
    {
        var fields = new UnmappedFields(settings, Api);
        fields.CheckTopLevel(request, Mapped);
        if (ChatRequestReader.Int(request, "n") is > 1)
            fields.Unmappable("n", "n", $"{Api} returns one choice: 'n' above 1");
        if (ChatRequestReader.Flag(request, "logprobs") is true)
            fields.Unmappable("logprobs", "logprobs", $"{Api} returns no log probabilities");

        var messages = ChatRequestReader.Messages(request);
        fields.CheckMessages(messages);
        var (system, turns) = Conversation(messages);
        var model = ClaudeModel.Of(call.UpstreamModel);
        var tools = ChatRequestReader.Tools(request);
        var toolChoice = ChatRequestReader.ToolChoice(request);
        var parallel = ChatRequestReader.Flag(request, "parallel_tool_calls") is not false;
        var thinking = AnthropicThinking.For(request, model, settings);
        var output = AnthropicStructuredOutput.For(request, model, thinking, tools.Count > 0);
        if (output.Tool is { } forced)
        {
            tools = [forced];
            toolChoice = new ToolChoice(ToolChoiceMode.Function, forced.Name);
        }
        else if (thinking.Enabled && toolChoice?.Mode is ToolChoiceMode.Required or ToolChoiceMode.Function)
        {
            fields.Unmappable("tool_choice", "tool_choice", "Anthropic does not force a tool while Claude thinks");
            toolChoice = null;
        }
        var sampling = AnthropicSampling.Read(request, thinking, fields);
        var stop = ChatRequestReader.Stop(request);
        var userId = UserId(request, fields);
        var tier = ServiceTier(request, fields);

        var body = TranslationJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("model", call.UpstreamModel);
            json.WriteNumber("max_tokens", thinking.MaxTokens);
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
            sampling.Write(json);
            if (thinking.Thinking is { } thinkingObject)
            {
                json.WritePropertyName("thinking");
                thinkingObject.WriteTo(json);
            }
            if (thinking.Effort is not null || output.NativeSchema is not null)
            {
                json.WriteStartObject("output_config");
                if (thinking.Effort is { } effort) json.WriteString("effort", effort);
                if (output.NativeSchema is { } schema)
                {
                    json.WriteStartObject("format");
                    json.WriteString("type", "json_schema");
                    json.WritePropertyName("schema");
                    schema.WriteTo(json);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            if (userId is not null)
            {
                json.WriteStartObject("metadata");
                json.WriteString("user_id", userId);
                json.WriteEndObject();
            }
            if (tier is not null) json.WriteString("service_tier", tier);
            if (call.Streaming) json.WriteBoolean("stream", true);
            json.WriteEndObject();
        });
        return new WrittenRequest(body, fields.Dropped, output.Tool?.Name);
    }

    /// <summary>The system blocks and the alternating turns of the conversation.</summary>
    private static (List<AnthropicBlock> System, List<Turn> Turns) Conversation(IReadOnlyList<ChatMessage> messages)
    {
        var system = new List<AnthropicBlock>();
        var turns = new List<Turn>();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            switch (message.Role)
            {
                case "system" or "developer":
                    var image = message.Parts.ToList().FindIndex(p => p is ImagePart);
                    if (image >= 0)
                        throw RouterError.InvalidRequest(
                            $"'messages[{i}].content[{image}]' is an image in a {message.Role} message; Anthropic's system prompt takes text only.",
                            $"messages[{i}].content[{image}]", "unsupported_content_part");
                    system.AddRange(AnthropicBlock.Parts(message.Parts, message.CacheControl));
                    continue;
                case "tool":
                    Add(turns, "user", [AnthropicToolResult.Of(message)]);
                    continue;
                case "assistant":
                    // A message-level cache_control marks the turn's last block, a tool call included.
                    var blocks = AnthropicBlock.Parts(message.Parts);
                    blocks.AddRange(message.ToolCalls.Select(c => (AnthropicBlock)new AnthropicToolUse(c)));
                    if (message.CacheControl is not null && blocks.Count > 0 && blocks[^1].CacheControl is null)
                        blocks[^1] = blocks[^1] with { CacheControl = message.CacheControl };
                    Add(turns, "assistant", blocks);
                    continue;
                default:
                    Add(turns, "user", AnthropicBlock.Parts(message.Parts, message.CacheControl));
                    continue;
            }
        }
        return (system, turns);
    }

    /// <summary>One text without a cache breakpoint is sent as a string; anything else as blocks, which keep their <c>cache_control</c>.</summary>
    private static void WriteSystem(Utf8JsonWriter json, List<AnthropicBlock> system)
    {
        if (system.Count == 0) return;
        if (system is [AnthropicText { CacheControl: null } only])
        {
            json.WriteString("system", only.Value);
            return;
        }
        json.WriteStartArray("system");
        foreach (var block in system) block.Write(json);
        json.WriteEndArray();
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
            if (tool.CacheControl is { } cache)
            {
                json.WritePropertyName("cache_control");
                cache.WriteTo(json);
            }
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

    /// <summary>
    /// <c>metadata.user_id</c>, Anthropic's one user identifier: OpenAI's <c>user</c>, or its successor
    /// <c>safety_identifier</c>. Two different identifiers cannot both go.
    /// </summary>
    private static string? UserId(ProxyRequest request, UnmappedFields fields)
    {
        var user = ChatRequestReader.Text(request, "user");
        var safety = ChatRequestReader.Text(request, "safety_identifier");
        if (user is not null && safety is not null && user != safety)
            fields.Unmappable("safety_identifier", "safety_identifier", "Anthropic's metadata holds one user id, and 'user' fills it");
        return user ?? safety;
    }

    /// <summary>OpenAI's <c>auto</c> is Anthropic's <c>auto</c>, and <c>default</c> (standard capacity) its <c>standard_only</c>.</summary>
    private static string? ServiceTier(ProxyRequest request, UnmappedFields fields)
    {
        switch (ChatRequestReader.Text(request, "service_tier"))
        {
            case null:
                return null;
            case "auto":
                return "auto";
            case "default":
                return "standard_only";
            case var other:
                fields.Unmappable("service_tier", "service_tier", $"'service_tier' '{other}' has no counterpart among Anthropic's tiers (auto, standard_only)");
                return null;
        }
    }

    /// <summary>Appends blocks to the last turn when it has the same role, else starts a turn; a turn with no blocks is left out.</summary>
    private static void Add(List<Turn> turns, string role, List<AnthropicBlock> blocks)
    {
        if (blocks.Count == 0) return;
        if (turns.Count > 0 && turns[^1].Role == role) turns[^1].Blocks.AddRange(blocks);
        else turns.Add(new Turn(role, blocks));
    }

    private sealed record Turn(string Role, List<AnthropicBlock> Blocks);
}
