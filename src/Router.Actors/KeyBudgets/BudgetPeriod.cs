using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// What a key has spent in its current budget period (<see cref="KeyPolicy.BudgetDuration"/>), counted
/// from its creation in whole periods; without a duration the period never ends. Immutable: each change is a new period value.
/// </summary>
internal sealed record BudgetPeriod(DateTimeOffset? Start, decimal Spend)
{
    public static readonly BudgetPeriod None = new(null, 0);

    public DateTimeOffset? End(KeyPolicy? policy) => policy?.BudgetDuration is { } duration && Start is { } start ? start + duration : null;

    /// <summary>Counts a cost in the period it falls in, starting a new period when the last one is over.</summary>
    public BudgetPeriod Counted(KeyPolicy? policy, decimal cost, DateTimeOffset at)
    {
        var period = Rolled(policy, at);
        return period with { Spend = period.Spend + cost };
    }

    /// <summary>The period <paramref name="now"/> falls in: this one, or a new one with nothing spent when this one is over.</summary>
    public BudgetPeriod Rolled(KeyPolicy? policy, DateTimeOffset now)
    {
        if (policy?.BudgetDuration is not { } duration || duration <= TimeSpan.Zero) return this;
        var start = Start ?? (policy.CreatedAt == default ? now : policy.CreatedAt);
        if (now < start + duration) return Start is null ? this with { Start = start } : this;
        var elapsedPeriods = (now - start).Ticks / duration.Ticks;
        return new BudgetPeriod(start + TimeSpan.FromTicks(duration.Ticks * elapsedPeriods), 0);
    }

    /// <summary>A new duration counts its periods afresh from the key's creation.</summary>
    public BudgetPeriod Restarted() => this with { Start = null };
}
