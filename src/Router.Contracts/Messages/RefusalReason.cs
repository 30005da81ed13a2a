namespace Router.Contracts.Messages;

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
    /// <summary>
    /// A rough estimate (<c>KeyBudget.Admit.Rough</c>) that the key's limits or budget do not cover whole: the
    /// asker counts the prompt's tokens and asks again. Never shown to a client.
    /// </summary>
    EstimateTooRough,
}
