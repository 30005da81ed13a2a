namespace Router.Contracts.Messages;

/// <summary>What the <c>KeyBudgetActor</c> answers.</summary>
public static partial class KeyBudget
{
    /// <summary>The answer to a confirming <see cref="Settle"/>: the request's usage is in the journal (or there was none).</summary>
    public sealed record Settled(string KeyId, string RequestId) : IKeyBudgetReply, IPersistedMessage;

    public sealed record Flushed(string KeyId) : IKeyBudgetReply, IPersistedMessage;

    public sealed record Provisioned(string KeyId) : IKeyBudgetReply, IPersistedMessage;

    public sealed record Deleted(string KeyId) : IKeyBudgetReply, IPersistedMessage;

    /// <summary>
    /// The answer to a <see cref="Provision"/> or <see cref="Delete"/> while the key's journal is down (its
    /// database does not answer): nothing was changed. Admission and settlement go on meanwhile.
    /// </summary>
    public sealed record JournalUnavailable(string KeyId) : IKeyBudgetReply, IPersistedMessage;

    public sealed record Refused(string KeyId, RefusalReason Reason, string Message, TimeSpan? RetryAfter = null) : IKeyBudgetReply, IPersistedMessage;

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
        decimal EstimatedSpend = 0) : IKeyBudgetReply, IPersistedMessage
    {
        public bool IsProvisioned => Policy is not null && !IsDeleted;

        /// <summary>What may still be spent in this period; null without a budget.</summary>
        public decimal? Remaining => Policy?.MaxBudget is { } max ? Math.Max(0, max - PeriodSpend - Reserved) : null;
    }
}
