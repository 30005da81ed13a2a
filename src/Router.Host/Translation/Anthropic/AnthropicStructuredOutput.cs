using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// OpenAI's <c>response_format</c> for Anthropic. A <c>json_schema</c> goes natively, as
/// <c>output_config.format: {type: json_schema, schema}</c>, to models that have it
/// (<see cref="ClaudeModel.HasNativeJsonOutput"/>). Otherwise, and for <c>json_object</c> (native output needs a
/// schema, and an open object is none), the answer is asked for with Anthropic's documented JSON-mode technique:
/// one tool, <see cref="ToolName"/>, whose input schema is the wanted JSON, forced by <c>tool_choice</c>; its
/// input comes back as the message content (<see cref="ResponseContext.ContentTool"/>). The tool's name is
/// LiteLLM's, so logs of either gateway read alike.
/// </summary>
/// <param name="NativeSchema">The schema for <c>output_config.format</c>, or null.</param>
/// <param name="Tool">The tool to force, or null.</param>
public sealed record AnthropicStructuredOutput(JsonElement? NativeSchema, ToolDefinition? Tool)
{
    public const string ToolName = "json_tool_call";

    private static readonly AnthropicStructuredOutput None = new(null, null);

    private static readonly JsonElement AnyObject =
        JsonDocument.Parse("""{"type":"object","additionalProperties":true,"properties":{}}""").RootElement;

    public static AnthropicStructuredOutput For(ProxyRequest request, ClaudeModel model, AnthropicThinking thinking, bool clientHasTools)
    {
        JsonElement? schema;
        string? description = null;
        switch (request.Field("response_format"))
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return None;
            case { ValueKind: JsonValueKind.Object } format:
                var type = format.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                switch (type)
                {
                    case "text":
                        return None;
                    case "json_object":
                        schema = null;
                        break;
                    case "json_schema":
                        if (!format.TryGetProperty("json_schema", out var spec) || spec.ValueKind != JsonValueKind.Object
                            || !spec.TryGetProperty("schema", out var s) || s.ValueKind != JsonValueKind.Object)
                            throw RouterError.InvalidRequest("'response_format.json_schema.schema' is required and must be an object.", "response_format.json_schema.schema");
                        schema = s;
                        description = spec.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                        if (model.HasNativeJsonOutput) return new AnthropicStructuredOutput(schema, null);
                        break;
                    default:
                        throw RouterError.InvalidRequest($"'response_format.type' '{type}' is not one of: text, json_object, json_schema.", "response_format.type");
                }
                break;
            default:
                throw RouterError.InvalidRequest("'response_format' must be an object.", "response_format");
        }

        // The forced tool would take the place of the client's own tools and tool choice, and Anthropic refuses
        // a forced tool while Claude thinks: neither can be expressed, so neither is attempted.
        if (clientHasTools)
            throw RouterError.InvalidRequest(
                "This Anthropic model has no native JSON output, so 'response_format' is reached by forcing a tool, which cannot be combined with the request's own 'tools'.",
                "response_format");
        if (thinking.Enabled)
            throw RouterError.InvalidRequest(
                "This Anthropic model has no native JSON output, so 'response_format' is reached by forcing a tool, and Anthropic does not force a tool while Claude thinks; leave out 'reasoning_effort' or 'thinking'.",
                "response_format");
        return new AnthropicStructuredOutput(null,
            new ToolDefinition(ToolName, description ?? "Answer with the JSON this tool takes.", schema ?? AnyObject));
    }
}
