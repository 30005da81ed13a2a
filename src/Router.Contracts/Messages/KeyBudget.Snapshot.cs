namespace Router.Contracts.Messages;

/// <summary>What the <c>KeyBudgetActor</c> snapshots: recovery reads it, then the events written after it.</summary>
public static partial class KeyBudget
{
    /// <summary>Snapshot of the key's state; a null policy means the key was never provisioned.</summary>
    /// <param name="RequestIds">The most recently counted requests, oldest first (absent in older snapshots).</param>
    public sealed record Totals(
        IReadOnlyList<string>? AllowedModels, long Requests, long PromptTokens, long CompletionTokens,
        KeyPolicy? Policy = null, decimal Spend = 0, decimal PeriodSpend = 0, DateTimeOffset? PeriodStart = null, bool Deleted = false,
        IReadOnlyList<string>? RequestIds = null, decimal EstimatedSpend = 0)
        : IPersistedMessage;
}
