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
}
