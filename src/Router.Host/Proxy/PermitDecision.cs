namespace Router.Host.Proxy;

/// <summary>A breaker's answer: go ahead, or not before <see cref="RetryAfter"/>.</summary>
/// <param name="KeyRemaining">On admission of a key with a budget: what the budget has left besides this request.</param>
/// <param name="CappedMaxTokens">On admission: the completion limit the key's budget lowered the request to (null: as sent).</param>
/// <param name="EstimateTooRough">On admission with a rough estimate: neither granted nor refused; ask again with the exact one.</param>
public readonly record struct PermitDecision(
    bool Granted, TimeSpan RetryAfter, decimal? KeyRemaining = null, int? CappedMaxTokens = null, bool EstimateTooRough = false)
{
    public static readonly PermitDecision Grant = new(true, TimeSpan.Zero);

    public static readonly PermitDecision AskWithExactEstimate = new(false, TimeSpan.Zero, EstimateTooRough: true);
}
