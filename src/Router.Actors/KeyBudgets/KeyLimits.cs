using Router.Actors.Routing;
using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// Whether a key's next request may go, and what its requests in flight hold: its policy's checks, its request and
/// token rates over the last minute, and its budget period's spend plus what each admitted request has reserved
/// until it is settled. A request's estimate is an upper bound of its cost; when the budget cannot cover it, the
/// request may still go with a lower completion limit (<see cref="KeyBudget.CompletionLimit"/>), and then reserves
/// exactly what that limit may cost. Only the key's actor uses it, one message at a time, so however many requests
/// arrive at once, spend plus reservations never pass the budget.
/// </summary>
internal sealed class KeyLimits(BudgetPeriod period)
{
    private readonly Dictionary<string, Reservation> _reservations = new(StringComparer.Ordinal);
    // Admitted and not yet settled: a settlement sent twice ends its request once.
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);

    /// <summary>What an admitted request holds until it is settled, and the completion limit it was lowered to (null: not lowered).</summary>
    private readonly record struct Reservation(decimal Cost, int Tokens, int? CappedMaxTokens);

    public RateWindow Rates { get; } = new();

    public decimal Reserved { get; private set; }

    public int InFlight => _inFlight.Count;

    /// <summary>Admitted already (in a pair the asker repeats an ask whose answer is late): admitted once, answered again.</summary>
    public bool IsAdmitted(string requestId) => _inFlight.Contains(requestId);

    /// <summary>Why the request may not go; null when it may.</summary>
    public KeyBudget.Refused? Refusal(string keyId, KeyPolicy? policy, bool deleted, KeyBudget.Admit admit, DateTimeOffset now)
    {
        if (policy is null || deleted || !KeyPolicy.SameHash(policy.SecretHash, admit.SecretHash))
            return Refuse(RefusalReason.UnknownKey, "This key is not known to the router.");
        if (policy.Blocked) return Refuse(RefusalReason.Blocked, "This key is blocked.");
        if (policy.Expires is { } expires && expires <= now)
            return Refuse(RefusalReason.Expired, $"This key expired at {expires:u}.");
        if (policy.AllowedModels.Count > 0 && !policy.AllowedModels.Any(pattern => ModelPattern.Matches(pattern, admit.Model)))
            return Refuse(RefusalReason.ModelNotAllowed, $"This key may not use the model '{admit.Model}'.");
        // A budget is only as good as the costs counted against it: a model without a price would spend nothing.
        if (admit.Unpriced && policy.MaxBudget is not null)
            return Refuse(RefusalReason.ModelNotPriced, $"The model '{admit.Model}' has no price, and this key has a budget.");

        Rates.Slide(now);
        if (policy.RpmLimit is { } rpm && Rates.Requests >= rpm)
            return Refuse(RefusalReason.RateLimited,
                $"This key is limited to {rpm} requests per minute and has made {Rates.Requests} in the last minute.",
                Rates.RequestsFreeIn(now));
        if (policy.TpmLimit is { } tpm && Rates.Tokens + ReservedTokens() + admit.EstimatedTokens > tpm)
            return Refuse(RefusalReason.RateLimited,
                $"This key is limited to {tpm} tokens per minute: {Rates.Tokens} used and {ReservedTokens()} reserved in the last minute, and this request may take {admit.EstimatedTokens}.",
                Rates.TokensFreeIn(now));

        period.Roll(policy, now);
        if (policy.MaxBudget is { } budget && Fit(policy, admit) is null)
            return Refuse(RefusalReason.BudgetExceeded,
                $"Budget exceeded: this key has spent ${period.Spend:0.######} of its ${budget:0.######} budget"
                + (Reserved > 0 ? $", ${Reserved:0.######} is reserved by requests in flight" : "")
                + $", and this request may cost ${admit.EstimatedCost:0.######}"
                + (LeastCost(admit) is { } least
                    ? $" (${least:0.######} with the smallest completion limit the router would lower it to, {admit.Completion!.Minimum} tokens)"
                    : "")
                + (period.End(policy) is { } end ? $"; the budget starts again at {end:u}." : "."));
        return null;

        KeyBudget.Refused Refuse(RefusalReason reason, string message, TimeSpan? retryAfter = null) =>
            new(keyId, reason, message, retryAfter);
    }

    /// <summary>Counts an admitted request (one <see cref="Refusal"/> found none) and reserves what it may cost until it is settled.</summary>
    public void Admit(KeyPolicy policy, KeyBudget.Admit admit, DateTimeOffset now)
    {
        _inFlight.Add(admit.RequestId);
        Rates.AddRequest(now);
        var reservation = Fit(policy, admit) ?? throw new InvalidOperationException($"Request {admit.RequestId} was admitted beyond the budget");
        if (reservation is { Cost: <= 0, Tokens: <= 0, CappedMaxTokens: null }) return;
        _reservations[admit.RequestId] = reservation;
        Reserved += reservation.Cost;
    }

    /// <summary>The completion limit an admitted request was lowered to; null when it goes as it was sent.</summary>
    public int? CappedMaxTokens(string requestId) =>
        _reservations.TryGetValue(requestId, out var reservation) ? reservation.CappedMaxTokens : null;

    /// <summary>Besides the request's own reservation: what the caller is told is left once its cost is known (null without a budget).</summary>
    public decimal? Remaining(KeyPolicy policy, string requestId)
    {
        var own = _reservations.TryGetValue(requestId, out var reservation) ? reservation.Cost : 0;
        return policy.MaxBudget - period.Spend - (Reserved - own);
    }

    /// <summary>The request is settled: it frees its slot and what it reserved (keyed by the request, so a settlement sent again frees nothing another holds).</summary>
    public void End(string requestId)
    {
        _inFlight.Remove(requestId);
        if (_reservations.Remove(requestId, out var reservation)) Reserved -= reservation.Cost;
    }

    /// <summary>
    /// What the request may reserve: its whole estimate when the budget (after spend and every other reservation)
    /// covers it; else its prompt and the largest completion limit the budget covers, when that is at least the
    /// request's minimum; else nothing (null). Without a budget, the whole estimate.
    /// </summary>
    private Reservation? Fit(KeyPolicy policy, KeyBudget.Admit admit)
    {
        var whole = new Reservation(admit.EstimatedCost, admit.EstimatedTokens, null);
        if (policy.MaxBudget is not { } budget) return whole;
        var left = budget - period.Spend - Reserved;
        if (admit.EstimatedCost <= left) return whole;
        if (Lowerable(admit) is not { } completion) return null;

        var perLimitToken = completion.CostPerToken * completion.Choices;
        var prompt = PromptCost(admit, completion);
        if (left < prompt) return null;
        var limit = (int)Math.Min(Math.Floor((left - prompt) / perLimitToken), completion.Tokens);
        // Decimal division rounds at its 28th digit: never let that round a limit up past the budget.
        while (limit > 0 && prompt + limit * perLimitToken > left) limit--;
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

    private long ReservedTokens() => _reservations.Values.Sum(r => (long)r.Tokens);
}
