using Router.Contracts.Wire;

namespace Router.Contracts.Messages;

/// <summary>What the <c>KeyBudgetActor</c> (one per virtual key) is asked to do, and asked about.</summary>
public static partial class KeyBudget
{
    /// <summary>Creates the key or replaces its policy (spend is kept); answered with <see cref="Provisioned"/>.</summary>
    public sealed record Provision(string KeyId, KeyPolicy Policy) : IKeyBudgetCommand, IPersistedMessage;

    /// <summary>Deletes the key for good; answered with <see cref="Deleted"/>. Its spend stays readable.</summary>
    public sealed record Delete(string KeyId) : IKeyBudgetCommand, IPersistedMessage;

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
    /// <param name="EndsAtOnce">The request ends as it is admitted, at no cost (an answer from the cache): no <see cref="Settle"/> follows.</param>
    /// <param name="Rough">The prompt in the estimate is counted as its bytes, a bound above its tokens that costs nothing to
    /// count: the actor admits it when it fits the key's limits and budget whole, and otherwise refuses it
    /// with <see cref="RefusalReason.EstimateTooRough"/>, for the asker to count the prompt's tokens and ask again.</param>
    public sealed record Admit(
        string KeyId, string RequestId, string Model, string DeploymentId, string SecretHash,
        decimal EstimatedCost = 0, int EstimatedTokens = 0, CompletionLimit? Completion = null, bool Unpriced = false, bool EndsAtOnce = false,
        bool Rough = false)
        : IKeyBudgetCommand, IPersistedMessage;

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
        : IKeyBudgetCommand, IPersistedMessage;

    /// <summary>The key's state, answered once every settled request is in the journal: what it shows survives a crash.</summary>
    public sealed record GetState(string KeyId) : IKeyBudgetQuery, IPersistedMessage;

    /// <summary>Writes settled usage not yet in the journal; answered with <see cref="Flushed"/> once it is.</summary>
    public sealed record Flush(string KeyId) : IKeyBudgetCommand, IPersistedMessage;
}
