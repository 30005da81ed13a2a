namespace Router.Contracts.Wire;

/// <summary>
/// Token counts as a provider reported them, in OpenAI's terms; zero when it reported none.
/// <see cref="PromptTokens"/> includes the cached ones (<see cref="CachedPromptTokens"/>, read from a
/// prompt cache, and <see cref="CacheWriteTokens"/>, written to one); <see cref="CompletionTokens"/>
/// includes <see cref="ReasoningTokens"/>.
/// </summary>
public sealed record TokenUsage(
    int PromptTokens, int CompletionTokens, int CachedPromptTokens, int CacheWriteTokens = 0, int ReasoningTokens = 0)
{
    public static readonly TokenUsage None = new(0, 0, 0);

    /// <summary>
    /// What the provider itself said the call cost, in USD (OpenRouter's <c>usage.cost</c>); null when it said
    /// nothing. When present it is the cost, whatever the price table says.
    /// </summary>
    public decimal? ReportedCost { get; init; }

    /// <summary>
    /// The router counted these tokens itself, because the provider reported none or the answer ended early
    /// (the prompt with the tokenizer, the completion from what was relayed): a fair charge, not an invoice.
    /// </summary>
    public bool Estimated { get; init; }

    public int TotalTokens => PromptTokens + CompletionTokens;
}
