using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation;

/// <summary>Writes a <see cref="TokenUsage"/> as OpenAI's <c>usage</c> object.</summary>
public static class OpenAiUsage
{
    public static void Write(Utf8JsonWriter json, TokenUsage usage)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", usage.PromptTokens);
        json.WriteNumber("completion_tokens", usage.CompletionTokens);
        json.WriteNumber("total_tokens", usage.TotalTokens);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", usage.CachedPromptTokens);
        json.WriteEndObject();
        json.WriteStartObject("completion_tokens_details");
        json.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
        json.WriteEndObject();
        // Not in OpenAI's schema: Anthropic bills prompt-cache writes apart, so they are kept visible (as LiteLLM does).
        if (usage.CacheWriteTokens > 0) json.WriteNumber("cache_creation_input_tokens", usage.CacheWriteTokens);
        json.WriteEndObject();
    }
}
