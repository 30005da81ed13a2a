using Router.Contracts.Wire;

namespace Router.Contracts.Messages;

/// <summary>Every message for a key's budget actor names its key: that is what places the actor.</summary>
public interface IKeyBudgetMessage
{
    string KeyId { get; }
}

/// <summary>Messages of the <c>KeyBudgetActor</c>, one actor per virtual key.</summary>
public static class KeyBudget
{
    /// <summary>Creates or replaces the key's policy; answered with <see cref="Provisioned"/>.</summary>
    public sealed record Provision(string KeyId, IReadOnlyList<string> AllowedModels) : IKeyBudgetMessage;

    /// <summary>
    /// Asks to run one request. On success the actor forwards to the deployment's breaker, which
    /// answers the asker with a permit; otherwise the actor answers <see cref="Refused"/>.
    /// </summary>
    public sealed record Admit(string KeyId, string RequestId, string Model, string DeploymentId) : IKeyBudgetMessage;

    /// <summary>Closes an admitted request with what the provider reported (none when it failed).</summary>
    public sealed record Settle(string KeyId, string RequestId, string Model, TokenUsage Usage) : IKeyBudgetMessage;

    public sealed record GetState(string KeyId) : IKeyBudgetMessage;

    /// <summary>Writes settled usage not yet in the journal; answered with <see cref="Flushed"/> once it is.</summary>
    public sealed record Flush(string KeyId) : IKeyBudgetMessage;

    public sealed record Flushed(string KeyId);

    public sealed record Provisioned(string KeyId);

    public sealed record Refused(string KeyId, RefusalReason Reason, string Message);

    /// <summary>The key's policy and spend; <see cref="Requests"/> counts the requests that used tokens.</summary>
    public sealed record State(
        string KeyId,
        IReadOnlyList<string> AllowedModels,
        long Requests,
        long PromptTokens,
        long CompletionTokens,
        int InFlight);

    // Events, persisted in the journal: their shape is a storage format, change it only compatibly.

    public sealed record PolicySet(IReadOnlyList<string> AllowedModels) : IPersistedMessage;

    /// <summary>The usage of one or more settled requests, written together.</summary>
    public sealed record UsageRecorded(long Requests, long PromptTokens, long CompletionTokens) : IPersistedMessage;

    /// <summary>Snapshot of the key's state; a null policy means the key was never provisioned.</summary>
    public sealed record Totals(IReadOnlyList<string>? AllowedModels, long Requests, long PromptTokens, long CompletionTokens)
        : IPersistedMessage;
}

public enum RefusalReason
{
    UnknownKey,
    ModelNotAllowed,
}
