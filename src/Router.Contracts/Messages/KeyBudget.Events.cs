namespace Router.Contracts.Messages;

/// <summary>What the <c>KeyBudgetActor</c> writes to its journal, one event per change.</summary>
public static partial class KeyBudget
{
    // Their shape is a storage format (journals already written hold it): change it only compatibly.

    /// <summary>The first policy format (models only), still read from older journals.</summary>
    public sealed record PolicySet(IReadOnlyList<string> AllowedModels) : IKeyBudgetEvent, IPersistedMessage;

    public sealed record KeyPolicySet(KeyPolicy Policy) : IKeyBudgetEvent, IPersistedMessage;

    public sealed record KeyDeleted(DateTimeOffset At) : IKeyBudgetEvent, IPersistedMessage;

    /// <summary>The usage of one or more settled requests, written together; <see cref="At"/> places it in a budget period.</summary>
    /// <param name="RequestIds">The requests it counts, so that a settlement sent again after a crash is not counted twice (absent in older journals).</param>
    /// <param name="EstimatedCost">The part of <paramref name="Cost"/> the router counted itself (see <c>TokenUsage.Estimated</c>).</param>
    public sealed record UsageRecorded(
        long Requests, long PromptTokens, long CompletionTokens, decimal Cost = 0, DateTimeOffset? At = null, IReadOnlyList<string>? RequestIds = null,
        decimal EstimatedCost = 0)
        : IKeyBudgetEvent, IPersistedMessage;
}
