using Router.Actors.Routing;
using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// Whether a key's next request may go, and what its requests in flight hold: its policy's checks, its request and
/// token rates over the last minute, and its budget period's spend plus the estimated cost each admitted request
/// has reserved until it is settled. Only the key's actor uses it, one message at a time.
/// </summary>
internal sealed class KeyLimits(BudgetPeriod period)
{
    private readonly Dictionary<string, (decimal Cost, int Tokens)> _reservations = new(StringComparer.Ordinal);
    // Admitted and not yet settled: a settlement sent twice ends its request once.
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);

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
        if (policy.MaxBudget is { } budget && period.Spend + Reserved + admit.EstimatedCost > budget)
            return Refuse(RefusalReason.BudgetExceeded,
                $"Budget exceeded: this key has spent ${period.Spend:0.######} of its ${budget:0.######} budget"
                + (Reserved > 0 ? $", ${Reserved:0.######} is reserved by requests in flight" : "")
                + $", and this request may cost ${admit.EstimatedCost:0.######}"
                + (period.End(policy) is { } end ? $"; the budget starts again at {end:u}." : "."));
        return null;

        KeyBudget.Refused Refuse(RefusalReason reason, string message, TimeSpan? retryAfter = null) =>
            new(keyId, reason, message, retryAfter);
    }

    /// <summary>Counts an admitted request and reserves its estimate until it is settled.</summary>
    public void Admit(KeyBudget.Admit admit, DateTimeOffset now)
    {
        _inFlight.Add(admit.RequestId);
        Rates.AddRequest(now);
        if (admit.EstimatedCost <= 0 && admit.EstimatedTokens <= 0) return;
        _reservations[admit.RequestId] = (admit.EstimatedCost, admit.EstimatedTokens);
        Reserved += admit.EstimatedCost;
    }

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

    private long ReservedTokens() => _reservations.Values.Sum(r => (long)r.Tokens);
}
