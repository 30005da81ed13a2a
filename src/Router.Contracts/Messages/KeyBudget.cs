using Router.Contracts.Wire;

namespace Router.Contracts.Messages;

/// <summary>Every message for a key's budget actor names its key: that is what places the actor.</summary>
public interface IKeyBudgetMessage
{
    string KeyId { get; }
}

/// <summary>
/// What a virtual key may do, as the admin API sets it. The key itself is never stored: only the hex
/// SHA-256 of its secret, which the key's actor compares in constant time on every admission.
/// </summary>
/// <param name="AllowedModels">Model names or globs (<c>ollama/*</c>); empty: every model.</param>
/// <param name="BudgetDuration">How often the spend counted against <paramref name="MaxBudget"/> starts again; null: never.</param>
/// <param name="MetadataJson">The caller's metadata object, kept as JSON text.</param>
public sealed record KeyPolicy(
    string SecretHash,
    string DisplayPrefix,
    IReadOnlyList<string> AllowedModels,
    string? Alias = null,
    decimal? MaxBudget = null,
    TimeSpan? BudgetDuration = null,
    int? RpmLimit = null,
    int? TpmLimit = null,
    DateTimeOffset? Expires = null,
    bool Blocked = false,
    string? MetadataJson = null,
    DateTimeOffset CreatedAt = default)
{
    /// <summary>Whether admission needs an estimate of the request (the tokenizer's work is skipped otherwise).</summary>
    public bool NeedsEstimate => MaxBudget is not null || TpmLimit is not null;

    /// <summary>
    /// Whether a presented key's hash is this key's, compared in constant time (timing says nothing about how
    /// much matched) and without allocating: it runs on every admission. An empty hash matches nothing.
    /// </summary>
    public static bool SameHash(string expected, string presented) =>
        expected.Length > 0
        && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected.AsSpan()),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(presented.AsSpan()));
}

/// <summary>Messages of the <c>KeyBudgetActor</c>, one actor per virtual key.</summary>
public static class KeyBudget
{
    /// <summary>Creates the key or replaces its policy (spend is kept); answered with <see cref="Provisioned"/>.</summary>
    public sealed record Provision(string KeyId, KeyPolicy Policy) : IKeyBudgetMessage, IPersistedMessage;

    /// <summary>Deletes the key for good; answered with <see cref="Deleted"/>. Its spend stays readable.</summary>
    public sealed record Delete(string KeyId) : IKeyBudgetMessage, IPersistedMessage;

    /// <summary>
    /// Asks to run one request. On success the actor reserves the estimate and forwards to the
    /// deployment's breaker, which answers the asker with a permit; otherwise it answers <see cref="Refused"/>.
    /// </summary>
    /// <param name="DeploymentId">The breaker to forward to; empty when none needs asking (an answer from the cache, or a circuit the asker saw closed): the actor permits it itself.</param>
    /// <param name="SecretHash">Hex SHA-256 of the key the request presented.</param>
    /// <param name="EstimatedCost">USD the request may cost at most (its prompt and its completion limit at the model's price).</param>
    /// <param name="EstimatedTokens">Tokens it is expected to use, for the TPM limit (its prompt and its own completion limit, or
    /// <c>router.estimate-completion-tokens</c>: not the model's longest completion, which would make a small limit unusable).</param>
    /// <param name="Completion">How much of the estimate is its completion limit, so that a budget that cannot cover the
    /// whole estimate may lower that limit instead of refusing; null: the request is admitted whole or refused.</param>
    /// <param name="Unpriced">No price is known for the model: a key with a budget is refused it, as its spend could not be counted.</param>
    public sealed record Admit(
        string KeyId, string RequestId, string Model, string DeploymentId, string SecretHash,
        decimal EstimatedCost = 0, int EstimatedTokens = 0, CompletionLimit? Completion = null, bool Unpriced = false)
        : IKeyBudgetMessage, IPersistedMessage;

    /// <summary>
    /// The completion part of an <see cref="Admit"/>'s estimate: <paramref name="Tokens"/> per choice, for
    /// <paramref name="Choices"/> choices, at <paramref name="CostPerToken"/> each; the rest of the estimate is the prompt.
    /// The key's actor may lower the limit to what its budget covers, down to <paramref name="Minimum"/> tokens
    /// (0: never lower it), and reserves exactly that: so concurrent requests cannot overrun the budget between them.
    /// </summary>
    public sealed record CompletionLimit(int Tokens, int Choices, decimal CostPerToken, int Minimum);

    /// <summary>
    /// Closes an admitted request with what the provider reported (none when it failed) and what that cost.
    /// A request counts once, however often its settlement arrives (the sender may retry it).
    /// </summary>
    /// <param name="Confirm">Answer <see cref="Settled"/> once the usage is in the journal (it then survives a crash).</param>
    public sealed record Settle(string KeyId, string RequestId, string Model, TokenUsage Usage, decimal Cost = 0, bool Confirm = false)
        : IKeyBudgetMessage, IPersistedMessage;

    /// <summary>The answer to a confirming <see cref="Settle"/>: the request's usage is in the journal (or there was none).</summary>
    public sealed record Settled(string KeyId, string RequestId) : IPersistedMessage;

    /// <summary>The key's state, answered once every settled request is in the journal: what it shows survives a crash.</summary>
    public sealed record GetState(string KeyId) : IKeyBudgetMessage, IPersistedMessage;

    /// <summary>Writes settled usage not yet in the journal; answered with <see cref="Flushed"/> once it is.</summary>
    public sealed record Flush(string KeyId) : IKeyBudgetMessage, IPersistedMessage;

    public sealed record Flushed(string KeyId) : IPersistedMessage;

    public sealed record Provisioned(string KeyId) : IPersistedMessage;

    public sealed record Deleted(string KeyId) : IPersistedMessage;

    /// <summary>
    /// The answer to a <see cref="Provision"/> or <see cref="Delete"/> while the key's journal is down (its
    /// database does not answer): nothing was changed. Admission and settlement go on meanwhile.
    /// </summary>
    public sealed record JournalUnavailable(string KeyId) : IPersistedMessage;

    public sealed record Refused(string KeyId, RefusalReason Reason, string Message, TimeSpan? RetryAfter = null) : IPersistedMessage;

    /// <summary>
    /// The key's policy, totals and current limits. <see cref="Requests"/> counts the requests that
    /// used tokens; <see cref="PeriodSpend"/> is what counts against the budget until <see cref="PeriodResetsAt"/>.
    /// </summary>
    public sealed record State(
        string KeyId,
        KeyPolicy? Policy,
        bool IsDeleted,
        long Requests,
        long PromptTokens,
        long CompletionTokens,
        decimal Spend,
        decimal PeriodSpend,
        DateTimeOffset? PeriodResetsAt,
        decimal Reserved,
        int InFlight,
        int RequestsLastMinute,
        long TokensLastMinute,
        decimal EstimatedSpend = 0) : IPersistedMessage
    {
        public bool IsProvisioned => Policy is not null && !IsDeleted;

        /// <summary>What may still be spent in this period; null without a budget.</summary>
        public decimal? Remaining => Policy?.MaxBudget is { } max ? Math.Max(0, max - PeriodSpend - Reserved) : null;
    }

    // Events, persisted in the journal: their shape is a storage format, change it only compatibly.

    /// <summary>The first policy format (models only), still read from older journals.</summary>
    public sealed record PolicySet(IReadOnlyList<string> AllowedModels) : IPersistedMessage;

    public sealed record KeyPolicySet(KeyPolicy Policy) : IPersistedMessage;

    public sealed record KeyDeleted(DateTimeOffset At) : IPersistedMessage;

    /// <summary>The usage of one or more settled requests, written together; <see cref="At"/> places it in a budget period.</summary>
    /// <param name="RequestIds">The requests it counts, so that a settlement sent again after a crash is not counted twice (absent in older journals).</param>
    /// <param name="EstimatedCost">The part of <paramref name="Cost"/> the router counted itself (see <c>TokenUsage.Estimated</c>).</param>
    public sealed record UsageRecorded(
        long Requests, long PromptTokens, long CompletionTokens, decimal Cost = 0, DateTimeOffset? At = null, IReadOnlyList<string>? RequestIds = null,
        decimal EstimatedCost = 0)
        : IPersistedMessage;

    /// <summary>Snapshot of the key's state; a null policy means the key was never provisioned.</summary>
    /// <param name="RequestIds">The most recently counted requests, oldest first (absent in older snapshots).</param>
    public sealed record Totals(
        IReadOnlyList<string>? AllowedModels, long Requests, long PromptTokens, long CompletionTokens,
        KeyPolicy? Policy = null, decimal Spend = 0, decimal PeriodSpend = 0, DateTimeOffset? PeriodStart = null, bool Deleted = false,
        IReadOnlyList<string>? RequestIds = null, decimal EstimatedSpend = 0)
        : IPersistedMessage;

    // The key's replica in the pair's distributed data: its shape is a storage format (each node keeps it on disk), change it only compatibly.

    /// <summary>The key's policy as its actor last wrote it to the replica (after the journal had it).</summary>
    public sealed record ReplicaPolicy(KeyPolicy? Policy, bool Deleted);

    /// <summary>
    /// What one run of one node has counted for a key: only that run writes it, so the replicas of the two nodes
    /// merge without losing or doubling anything, whoever wrote last. The key's usage is the sum over the runs.
    /// </summary>
    /// <param name="PeriodStart">The budget period <paramref name="PeriodSpend"/> was counted in (null: the key has no budget duration).</param>
    /// <param name="RecentIds">The last requests this run counted, so a settlement sent again to another node counts once.</param>
    public sealed record ReplicaUsage(
        long Requests, long PromptTokens, long CompletionTokens, decimal Cost, DateTimeOffset? PeriodStart, decimal PeriodSpend,
        IReadOnlyList<string> RecentIds, decimal EstimatedCost = 0);
}

public enum RefusalReason
{
    UnknownKey,
    ModelNotAllowed,
    Blocked,
    Expired,
    BudgetExceeded,
    RateLimited,
    /// <summary>The model has no price and the key has a budget (appended: the enum travels as its number).</summary>
    ModelNotPriced,
}
