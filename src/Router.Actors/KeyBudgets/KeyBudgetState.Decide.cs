using Router.Actors.Routing;
using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// Admission: the policy's checks, the RPM and TPM limits, then the budget. A request's estimate is an upper bound of its
/// cost; when the budget cannot cover it, the request may still go with a lower completion limit
/// (<see cref="KeyBudget.CompletionLimit"/>), and then reserves exactly what that limit may cost. A rough estimate
/// (<see cref="KeyBudget.Admit.Rough"/>) is admitted only whole: a request near the key's limits is asked for its exact count.
/// </summary>
internal sealed partial record KeyBudgetState
{
    /// <summary>Whether <paramref name="admit"/> may go at <paramref name="now"/>, and on what terms. Changes nothing: apply its event.</summary>
    public Admission Decide(KeyBudget.Admit admit, DateTimeOffset now)
    {
        if (Reservations.IsAdmitted(admit.RequestId)) return Granted(Period, Reservations.Of(admit.RequestId), admitted: null);
        var (refused, reservation) = Check(admit, now);
        if (refused is not null) return Admission.Refuse(refused);
        // Told from this state, not from the state after: the actor applies the event to this same state, and a rate window
        // appended to from two states copies itself (TimedLog), every request of the last minute per admission.
        return Granted(Period.Rolled(Policy, now), reservation, new RequestAdmitted(admit.RequestId, reservation, now));
    }

    /// <summary>Granted: what is left beside the request's own reservation (a request asked again already holds it), and its limit.</summary>
    private Admission Granted(BudgetPeriod period, Reservation own, RequestAdmitted? admitted)
    {
        var othersReserved = Reservations.Reserved - (admitted is null ? own.Cost : 0);
        return new Admission(null, admitted, Policy!.MaxBudget - period.Spend - othersReserved, own.CappedMaxTokens);
    }

    /// <summary>Why the request may not go (null when it may), or what it reserves when it may.</summary>
    private (KeyBudget.Refused? Refused, Reservation Reservation) Check(KeyBudget.Admit admit, DateTimeOffset now)
    {
        var policy = Policy;
        if (policy is null || Deleted || !KeyPolicy.SameHash(policy.SecretHash, admit.SecretHash))
            return Refuse(RefusalReason.UnknownKey, "This key is not known to the router.");
        if (policy.Blocked) return Refuse(RefusalReason.Blocked, "This key is blocked.");
        if (policy.Expires is { } expires && expires <= now)
            return Refuse(RefusalReason.Expired, $"This key expired at {expires:u}.");
        if (!MayUse(policy.AllowedModels, admit.Model))
            return Refuse(RefusalReason.ModelNotAllowed, $"This key may not use the model '{admit.Model}'.");
        // A budget is only as good as the costs counted against it: a model without a price would spend nothing.
        if (admit.Unpriced && policy.MaxBudget is not null)
            return Refuse(RefusalReason.ModelNotPriced, $"The model '{admit.Model}' has no price, and this key has a budget.");

        var rates = Rates.Slid(now);
        if (policy.RpmLimit is { } rpm && rates.Requests >= rpm)
            return Refuse(RefusalReason.RateLimited,
                $"This key is limited to {rpm} requests per minute and has made {rates.Requests} in the last minute.",
                rates.RequestsFreeIn(now));
        var reservedTokens = Reservations.ReservedTokens;
        if (policy.TpmLimit is { } tpm && rates.Tokens + reservedTokens + admit.EstimatedTokens > tpm)
            return admit.Rough ? CountExactly() : Refuse(RefusalReason.RateLimited,
                $"This key is limited to {tpm} tokens per minute: {rates.Tokens} used and {reservedTokens} reserved in the last minute, and this request may take {admit.EstimatedTokens}.",
                rates.TokensFreeIn(now));

        var period = Period.Rolled(policy, now);
        var reserved = Reservations.Reserved;
        var fit = Fit(policy.MaxBudget - period.Spend - reserved, admit);
        // A rough estimate goes only whole: lowered or refused, the request's exact count may have fitted.
        if (admit.Rough && fit is not { CappedMaxTokens: null }) return CountExactly();
        if (fit is { } reservation) return (null, reservation);
        // Only a budget refuses here (without one the whole estimate fits).
        return Refuse(RefusalReason.BudgetExceeded,
            $"Budget exceeded: this key has spent ${period.Spend:0.######} of its ${policy.MaxBudget.GetValueOrDefault():0.######} budget"
            + (reserved > 0 ? $", ${reserved:0.######} is reserved by requests in flight" : "")
            + $", and this request may cost ${admit.EstimatedCost:0.######}"
            + (LeastCost(admit) is { } least
                ? $" (${least:0.######} with the smallest completion limit the router would lower it to, {admit.Completion!.Minimum} tokens)"
                : "")
            + (period.End(policy) is { } end ? $"; the budget starts again at {end:u}." : "."));

        (KeyBudget.Refused?, Reservation) Refuse(RefusalReason reason, string message, TimeSpan? retryAfter = null) =>
            (new KeyBudget.Refused(admit.KeyId, reason, message, retryAfter), default);

        (KeyBudget.Refused?, Reservation) CountExactly() =>
            Refuse(RefusalReason.EstimateTooRough, "The request's rough estimate does not fit whole: count its prompt's tokens and ask again.");
    }

    /// <summary>Whether a key allowed <paramref name="allowed"/> (names or globs; none: every model) may use <paramref name="model"/>.</summary>
    private static bool MayUse(IReadOnlyList<string> allowed, string model)
    {
        if (allowed.Count == 0) return true;
        for (var i = 0; i < allowed.Count; i++)
            if (ModelPattern.Matches(allowed[i], model)) return true;
        return false;
    }

    /// <summary>
    /// What the request may reserve when <paramref name="left"/> of the budget is free (null: the key has no budget): its whole
    /// estimate when that covers it; else its prompt and the largest completion limit that covers, when that is at least the
    /// request's minimum; else nothing (null).
    /// </summary>
    private static Reservation? Fit(decimal? left, KeyBudget.Admit admit)
    {
        var whole = new Reservation(admit.EstimatedCost, admit.EstimatedTokens, null);
        if (left is not { } free || admit.EstimatedCost <= free) return whole;
        if (Lowerable(admit) is not { } completion) return null;

        var perLimitToken = completion.CostPerToken * completion.Choices;
        var prompt = PromptCost(admit, completion);
        if (free < prompt) return null;
        var limit = (int)Math.Min(Math.Floor((free - prompt) / perLimitToken), completion.Tokens);
        // Decimal division rounds at its 28th digit: never let that round a limit up past the budget.
        while (limit > 0 && prompt + limit * perLimitToken > free) limit--;
        if (limit < completion.Minimum) return null;
        // The tokens per minute were checked against the request's own token estimate: it holds that, lowered or not.
        return new Reservation(prompt + limit * perLimitToken, admit.EstimatedTokens, limit);
    }

    /// <summary>What the request would reserve at its minimum completion limit, when it may be lowered at all.</summary>
    private static decimal? LeastCost(KeyBudget.Admit admit) =>
        Lowerable(admit) is { } completion
            ? PromptCost(admit, completion) + completion.Minimum * completion.CostPerToken * completion.Choices
            : null;

    /// <summary>The request's completion limit, when the asker allows it lowered and lowering it could lower the cost.</summary>
    private static KeyBudget.CompletionLimit? Lowerable(KeyBudget.Admit admit) =>
        admit.Completion is { Minimum: > 0, CostPerToken: > 0, Choices: > 0 } completion && completion.Tokens > completion.Minimum ? completion : null;

    /// <summary>The estimate less its completion part (the asker builds it as prompt plus completion).</summary>
    private static decimal PromptCost(KeyBudget.Admit admit, KeyBudget.CompletionLimit completion) =>
        Math.Max(0, admit.EstimatedCost - completion.Tokens * completion.CostPerToken * completion.Choices);
}
