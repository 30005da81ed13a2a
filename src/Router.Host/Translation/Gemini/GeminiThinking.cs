using System.Text.Json;
using System.Text.RegularExpressions;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Translation.Gemini;

/// <summary>
/// <c>reasoning_effort</c>, or a client's Anthropic-style <c>thinking</c> object (LiteLLM accepts it), as Gemini's
/// <c>generationConfig.thinkingConfig</c>, with <c>includeThoughts</c> so the thoughts come back as
/// <c>reasoning_content</c>:
/// <list type="bullet">
/// <item>Gemini 3 and later take a <c>thinkingLevel</c>: effort minimal, low, medium, high as such on Flash; Pro
///   knows only low and high, so minimal is low and medium high there. They always think: <c>none</c> is refused.</item>
/// <item>Gemini 2.5 (and names the router cannot read) take a <c>thinkingBudget</c> with LiteLLM's budgets:
///   minimal 128 on Pro (its floor) and 512 elsewhere, low 1024, medium 2048, high 4096, none 0.</item>
/// <item><c>thinking</c>: enabled is its <c>budget_tokens</c>, adaptive a dynamic budget (-1), disabled 0.</item>
/// </list>
/// </summary>
internal sealed partial record GeminiThinking(int? Budget, string? Level, bool IncludeThoughts)
{
    private static readonly GeminiThinking Unset = new(null, null, false);

    public bool IsSet => Budget is not null || Level is not null;

    public static GeminiThinking For(ProxyRequest request, string model)
    {
        var effort = ChatRequestReader.Text(request, "reasoning_effort");
        if (request.Field("thinking") is { ValueKind: not JsonValueKind.Null } own)
        {
            if (effort is not null)
                throw RouterError.InvalidRequest("Send either 'thinking' or 'reasoning_effort', not both: they say the same thing twice.", "reasoning_effort");
            return FromThinking(own);
        }
        if (effort is null) return Unset;

        var lower = model.ToLowerInvariant();
        var version = Version().Match(lower);
        var pro = lower.Contains("-pro");
        if (version.Success && int.Parse(version.Groups[1].Value) >= 3)
        {
            return effort switch
            {
                "minimal" => new(null, pro ? "low" : "minimal", true),
                "low" => new(null, "low", true),
                "medium" => new(null, pro ? "high" : "medium", true),
                "high" => new(null, "high", true),
                "none" => throw RouterError.InvalidRequest(
                    "Gemini 3 models always think, so 'reasoning_effort' 'none' cannot be honoured; minimal (Flash) or low thinks least.", "reasoning_effort"),
                _ => throw Unknown(effort),
            };
        }
        return effort switch
        {
            "none" => new(0, null, false),
            "minimal" => new(pro ? 128 : 512, null, true),
            "low" => new(1024, null, true),
            "medium" => new(2048, null, true),
            "high" => new(4096, null, true),
            _ => throw Unknown(effort),
        };
    }

    private static GeminiThinking FromThinking(JsonElement thinking)
    {
        if (thinking.ValueKind != JsonValueKind.Object)
            throw RouterError.InvalidRequest("'thinking' must be an object such as {\"type\":\"enabled\",\"budget_tokens\":2048}.", "thinking");
        var type = thinking.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "enabled":
                if (!thinking.TryGetProperty("budget_tokens", out var b) || !b.TryGetInt32(out var budget) || budget < 1)
                    throw RouterError.InvalidRequest("'thinking.budget_tokens' must be a positive integer.", "thinking.budget_tokens");
                return new GeminiThinking(budget, null, true);
            case "adaptive":
                return new GeminiThinking(-1, null, true);
            case "disabled":
                return new GeminiThinking(0, null, false);
            default:
                throw RouterError.InvalidRequest($"'thinking.type' '{type}' is not one of: enabled, adaptive, disabled.", "thinking.type");
        }
    }

    private static RouterError Unknown(string effort) =>
        RouterError.InvalidRequest($"'reasoning_effort' '{effort}' is not one of: none, minimal, low, medium, high.", "reasoning_effort");

    public void Write(Utf8JsonWriter json)
    {
        if (!IsSet) return;
        json.WriteStartObject("thinkingConfig");
        if (Budget is { } budget) json.WriteNumber("thinkingBudget", budget);
        if (Level is { } level) json.WriteString("thinkingLevel", level);
        if (IncludeThoughts) json.WriteBoolean("includeThoughts", true);
        json.WriteEndObject();
    }

    // "gemini-2.5-flash" is 2, "gemini-3-pro-preview" 3, "gemini-3.5-flash" 3.
    [GeneratedRegex(@"gemini-(\d+)")]
    private static partial Regex Version();
}
