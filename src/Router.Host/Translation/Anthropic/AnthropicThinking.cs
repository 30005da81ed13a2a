using System.Text.Json;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// Extended thinking for one request: the client's own <c>thinking</c> object (LiteLLM accepts it on chat
/// requests) goes to Anthropic as it is; OpenAI's <c>reasoning_effort</c> becomes
/// <list type="bullet">
/// <item>on models with adaptive thinking (<see cref="ClaudeModel.HasAdaptiveThinking"/>):
///   <c>thinking: {type: adaptive}</c> and <c>output_config.effort</c> (minimal is low);</item>
/// <item>on the others: <c>thinking: {type: enabled, budget_tokens}</c> with LiteLLM's budgets (minimal and low
///   1024, Anthropic's floor; medium 2048; high 4096);</item>
/// <item><c>none</c>: <c>thinking: {type: disabled}</c>.</item>
/// </list>
/// Anthropic wants <c>budget_tokens</c> of at least 1024 and below <c>max_tokens</c>, which counts thinking
/// too. Without a client limit, <c>max_tokens</c> is the budget plus the provider's <c>default-max-tokens</c>
/// (LiteLLM adds its default the same way); with one, the budget is cut to leave half the limit to the answer,
/// and a limit of 1024 or less, which leaves no room for the smallest budget, is refused.
/// </summary>
/// <param name="Thinking">The <c>thinking</c> object to send, or null.</param>
/// <param name="Effort">The <c>output_config.effort</c> to send, or null.</param>
/// <param name="MaxTokens">The <c>max_tokens</c> to send.</param>
public sealed record AnthropicThinking(JsonElement? Thinking, string? Effort, int MaxTokens)
{
    public const int MinimumBudget = 1024;

    /// <summary>Whether Claude will think: Anthropic then refuses sampling changes and forced tool use.</summary>
    public bool Enabled => Thinking is { } t && t.TryGetProperty("type", out var type) && type.GetString() is "enabled" or "adaptive";

    public static AnthropicThinking For(ProxyRequest request, ClaudeModel model, ProviderSettings settings)
    {
        var clientLimit = ChatRequestReader.MaxTokens(request);
        var effort = ChatRequestReader.Text(request, "reasoning_effort");
        if (request.Field("thinking") is { ValueKind: not JsonValueKind.Null } own)
        {
            if (own.ValueKind != JsonValueKind.Object)
                throw RouterError.InvalidRequest("'thinking' must be an object such as {\"type\":\"enabled\",\"budget_tokens\":2048}.", "thinking");
            if (effort is not null)
                throw RouterError.InvalidRequest("Send either 'thinking' or 'reasoning_effort', not both: they say the same thing twice.", "reasoning_effort");
            var budget = own.TryGetProperty("budget_tokens", out var b) && b.ValueKind == JsonValueKind.Number && b.TryGetInt32(out var n) ? n : 0;
            return new AnthropicThinking(own, null, clientLimit ?? budget + settings.DefaultMaxTokens);
        }

        switch (effort)
        {
            case null:
                return new AnthropicThinking(null, null, clientLimit ?? settings.DefaultMaxTokens);
            case "none":
                return new AnthropicThinking(Object("""{"type":"disabled"}"""), null, clientLimit ?? settings.DefaultMaxTokens);
            case "minimal" or "low" or "medium" or "high" when model.HasAdaptiveThinking:
                return new AnthropicThinking(Object("""{"type":"adaptive"}"""), effort == "minimal" ? "low" : effort, clientLimit ?? settings.DefaultMaxTokens);
            case "minimal" or "low" or "medium" or "high":
                var wanted = effort switch { "medium" => 2048, "high" => 4096, _ => MinimumBudget };
                if (clientLimit is not { } limit)
                    return WithBudget(wanted, wanted + settings.DefaultMaxTokens);
                if (limit <= MinimumBudget)
                    throw RouterError.InvalidRequest(
                        $"With 'reasoning_effort' Anthropic thinks with a budget of at least {MinimumBudget} tokens, which must be below the completion limit; '{ChatRequestReader.MaxTokensField(request)}' {limit} leaves no room. Raise it or leave it out.",
                        ChatRequestReader.MaxTokensField(request));
                return WithBudget(Math.Max(MinimumBudget, Math.Min(wanted, limit / 2)), limit);
            default:
                throw RouterError.InvalidRequest($"'reasoning_effort' '{effort}' is not one of: none, minimal, low, medium, high.", "reasoning_effort");
        }
    }

    private static AnthropicThinking WithBudget(int budget, int maxTokens) =>
        new(Object($$"""{"type":"enabled","budget_tokens":{{budget}}}"""), null, maxTokens);

    private static JsonElement Object(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
