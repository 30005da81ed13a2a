using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// What a key has spent in its current budget period (<see cref="KeyPolicy.BudgetDuration"/>), counted
/// from its creation in whole periods; without a duration the period never ends.
/// </summary>
internal sealed class BudgetPeriod
{
    public DateTimeOffset? Start { get; private set; }

    public decimal Spend { get; private set; }

    public DateTimeOffset? End(KeyPolicy? policy) => policy?.BudgetDuration is { } duration && Start is { } start ? start + duration : null;

    /// <summary>Counts a cost in the period it falls in, starting a new period when the last one is over.</summary>
    public void Count(KeyPolicy? policy, decimal cost, DateTimeOffset at)
    {
        Roll(policy, at);
        Spend += cost;
    }

    public void Roll(KeyPolicy? policy, DateTimeOffset now)
    {
        if (policy?.BudgetDuration is not { } duration || duration <= TimeSpan.Zero) return;
        Start ??= policy.CreatedAt == default ? now : policy.CreatedAt;
        if (now < Start.Value + duration) return;
        var elapsedPeriods = (now - Start.Value).Ticks / duration.Ticks;
        Start = Start.Value + TimeSpan.FromTicks(duration.Ticks * elapsedPeriods);
        Spend = 0;
    }

    /// <summary>A new duration counts its periods afresh from the key's creation.</summary>
    public void Restart() => Start = null;

    public void Restore(DateTimeOffset? start, decimal spend)
    {
        Start = start;
        Spend = spend;
    }
}
