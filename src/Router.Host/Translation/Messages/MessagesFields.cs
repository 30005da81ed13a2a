using System.Text.Json;
using Router.Host.Http;

namespace Router.Host.Translation.Messages;

/// <summary>
/// What becomes of each top-level field of a Messages request bridged to a chat API: every field is mapped, consumed
/// on purpose, or refused with a 400 that names it, so nothing a client sends is dropped in silence.
/// </summary>
public static class MessagesFields
{
    /// <summary>Fields with a chat counterpart, mapped by the converter.</summary>
    private static readonly HashSet<string> Mapped =
    [
        "model", "messages", "max_tokens", "system", "temperature", "top_p", "top_k", "stop_sequences", "stream", "metadata",
        "tools", "tool_choice", "thinking", "service_tier",
        // Prompt-caching marks, consumed: the chat providers cache prompts on their own.
        "cache_control",
    ];

    /// <summary>Fields only Anthropic acts on: a provider that does not run them cannot honour the request.</summary>
    private static readonly Dictionary<string, string> AnthropicOnly = new()
    {
        ["container"] = "a code-execution container",
        ["mcp_servers"] = "MCP servers Anthropic connects to",
        ["context_management"] = "context editing",
    };

    /// <summary>
    /// LiteLLM's budgets for its efforts (<c>DEFAULT_REASONING_EFFORT_*_THINKING_BUDGET</c>): a thinking budget maps to
    /// the lowest effort whose budget covers it.
    /// </summary>
    private const int LowBudget = 1024;
    private const int MediumBudget = 2048;

    public static void Check(JsonElement request, ChatTarget target)
    {
        foreach (var field in request.EnumerateObject())
        {
            if (AnthropicOnly.TryGetValue(field.Name, out var what))
                throw Refused(field.Name, $"'{field.Name}' asks for {what}, which only an Anthropic provider runs; route this model to one.");
            if (!Mapped.Contains(field.Name))
                throw Refused(field.Name, $"'{field.Name}' has no counterpart in the chat API this model's provider speaks.");
        }
        if (!target.TakesTopK && request.TryGetProperty("top_k", out _))
            throw Refused("top_k", "'top_k' has no counterpart in OpenAI's chat API, which this model's provider speaks.");
        if (request.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
            foreach (var field in metadata.EnumerateObject())
                if (field.Name != "user_id")
                    throw Refused("metadata", $"metadata.{field.Name} is not a Messages API field; only user_id is.");
    }

    /// <summary><c>thinking: {type: enabled, budget_tokens}</c> as OpenAI's <c>reasoning_effort</c>; disabled or absent: none.</summary>
    public static string? ReasoningEffort(JsonElement request)
    {
        if (!request.TryGetProperty("thinking", out var thinking) || thinking.ValueKind == JsonValueKind.Null) return null;
        var type = thinking.ValueKind == JsonValueKind.Object && thinking.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "disabled":
                return null;
            case "enabled" when thinking.TryGetProperty("budget_tokens", out var budget) && budget.TryGetInt32(out var tokens) && tokens > 0:
                return tokens <= LowBudget ? "low" : tokens <= MediumBudget ? "medium" : "high";
            default:
                throw Refused("thinking", "thinking must be {\"type\": \"enabled\", \"budget_tokens\": N} or {\"type\": \"disabled\"}.");
        }
    }

    /// <summary>Anthropic's <c>service_tier</c> (<c>auto</c>, <c>standard_only</c>) as OpenAI's (<c>auto</c>, <c>default</c>).</summary>
    public static string? ServiceTier(JsonElement request) =>
        !request.TryGetProperty("service_tier", out var tier) || tier.ValueKind == JsonValueKind.Null ? null
        : tier.GetString() switch
        {
            "auto" => "auto",
            "standard_only" => "default",
            _ => throw Refused("service_tier", "service_tier must be 'auto' or 'standard_only'."),
        };

    private static RouterError Refused(string field, string message) => RouterError.InvalidRequest(message, field, "unsupported_parameter");
}
