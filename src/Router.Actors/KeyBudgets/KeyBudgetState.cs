using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// A key's state and the decisions on it, free of actors, journals and clocks (time is passed in): its policy, what it
/// has settled, its budget period's spend, its request and token rates over the last minute, and what each admitted
/// request has reserved until it is settled. <see cref="Decide"/> admits or refuses a request; <see cref="Apply(RequestAdmitted)"/>
/// and its overloads return the state after an event. The key's actor holds one and owns only persistence and messaging; because
/// it decides every admission of its key in turn, spend plus reservations never pass the budget however many requests arrive at once.
/// </summary>
internal sealed partial record KeyBudgetState(
    KeyPolicy? Policy, bool Deleted, KeyBudget.UsageRecorded Settled, BudgetPeriod Period, RateWindow Rates, Reservations Reservations)
{
    /// <summary>A key never provisioned.</summary>
    public static readonly KeyBudgetState Empty = new(null, false, KeyUsage.None, BudgetPeriod.None, RateWindow.Empty, Reservations.None);

    /// <summary>The key as its stores held it when it started (see <see cref="RecoveredKey"/>).</summary>
    public KeyBudgetState Restored(RecoveredKey key) =>
        this with { Policy = key.Policy, Deleted = key.Deleted, Settled = key.Settled, Period = new BudgetPeriod(key.PeriodStart, key.PeriodSpend) };

    public KeyBudgetState Apply(RequestAdmitted admitted) =>
        this with
        {
            Period = Period.Rolled(Policy, admitted.At),
            Rates = Rates.Slid(admitted.At).WithRequest(admitted.At),
            Reservations = Reservations.Admitted(admitted.RequestId, admitted.Reservation),
        };

    /// <summary>
    /// A request over as it was admitted (an answer from the cache, at no cost): counted against the rate limits as any,
    /// with no reservation made only to be given back at once (two copies of the reservations a cache hit, for nothing).
    /// </summary>
    public KeyBudgetState ApplyEndedAtOnce(RequestAdmitted admitted) =>
        this with { Period = Period.Rolled(Policy, admitted.At), Rates = Rates.Slid(admitted.At).WithRequest(admitted.At) };

    public KeyBudgetState Apply(RequestEnded ended) => this with { Reservations = Reservations.Ended(ended.RequestId) };

    public KeyBudgetState Apply(JournalHeldMore more) => this with { Settled = KeyUsage.Add(Settled, more.Usage) };

    /// <summary>Settled usage, counted in the budget period its time (<see cref="KeyBudget.UsageRecorded.At"/>) falls in.</summary>
    public KeyBudgetState Apply(KeyBudget.UsageRecorded usage) =>
        this with { Settled = KeyUsage.Add(Settled, usage), Period = Period.Counted(Policy, usage.Cost, TimeOf(usage)) };

    /// <summary>
    /// A request settled with what it used: it ends (<see cref="Apply(RequestEnded)"/>), its <paramref name="tokens"/> count
    /// against the TPM limit for a minute from the usage's time, and the usage as <see cref="Apply(KeyBudget.UsageRecorded)"/>
    /// counts it. One state for the three, as every request that used tokens is settled.
    /// </summary>
    public KeyBudgetState ApplySettled(string requestId, long tokens, KeyBudget.UsageRecorded usage)
    {
        var at = TimeOf(usage);
        return this with
        {
            Reservations = Reservations.Ended(requestId),
            Rates = Rates.Slid(at).WithTokens(at, tokens),
            Settled = KeyUsage.Add(Settled, usage),
            Period = Period.Counted(Policy, usage.Cost, at),
        };
    }

    private static DateTimeOffset TimeOf(KeyBudget.UsageRecorded usage) =>
        usage.At ?? throw new ArgumentException("Usage to count needs its time", nameof(usage));

    /// <summary>A new policy: a key provisioned again after its deletion is a key again; a new budget duration counts its periods afresh.</summary>
    public KeyBudgetState Apply(KeyBudget.KeyPolicySet set) =>
        this with
        {
            Period = Policy?.BudgetDuration != set.Policy.BudgetDuration ? Period.Restarted() : Period,
            Policy = set.Policy,
            Deleted = false,
        };

    public KeyBudgetState Apply(KeyBudget.KeyDeleted deleted) => this with { Deleted = true };

    /// <summary>The state at <paramref name="now"/>: the rate window slid to it and the budget period it falls in.</summary>
    public KeyBudgetState At(DateTimeOffset now) => this with { Rates = Rates.Slid(now), Period = Period.Rolled(Policy, now) };

    /// <summary>When the budget period <paramref name="now"/> falls in started (null: the key has no budget duration).</summary>
    public DateTimeOffset? PeriodStartAt(DateTimeOffset now) => Period.Rolled(Policy, now).Start;

    /// <summary>The key's policy, totals and current limits as the admin API shows them.</summary>
    public KeyBudget.State ToReply(string keyId) =>
        new(keyId, Policy, Deleted, Settled.Requests, Settled.PromptTokens, Settled.CompletionTokens, Settled.Cost, Period.Spend,
            Period.End(Policy), Reservations.Reserved, Reservations.InFlight, Rates.Requests, Rates.Tokens, Settled.EstimatedCost);
}
