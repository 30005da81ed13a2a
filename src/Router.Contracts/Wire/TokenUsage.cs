namespace Router.Contracts.Wire;

/// <summary>Token counts as a provider reported them; zero when it reported none.</summary>
public sealed record TokenUsage(int PromptTokens, int CompletionTokens, int CachedPromptTokens)
{
    public static readonly TokenUsage None = new(0, 0, 0);
    public int TotalTokens => PromptTokens + CompletionTokens;
}
