namespace Router.Host.Alerts;

/// <summary>
/// The states alerts watch, as one sample read from the node (<see cref="AlertSampler"/>); the monitor compares
/// samples. A part that does not apply (no Redis, no cluster) is null and raises nothing.
/// </summary>
public sealed record AlertSnapshot
{
    /// <summary>Each circuit this node holds a state for, by deployment id; open counts half-open too (still probing).</summary>
    public IReadOnlyList<CircuitSample> Circuits { get; init; } = [];

    public IReadOnlyList<BudgetSample> Budgets { get; init; } = [];

    /// <summary>Whether the database answered; its reason is never put in an alert (it may name hosts and users).</summary>
    public bool? StorageUp { get; init; }

    /// <summary>Whether Redis answers; null without Redis.</summary>
    public bool? CacheUp { get; init; }

    public long RequestLogBacklog { get; init; }

    public long SettlementBacklog { get; init; }

    /// <summary>The other members of the pair and whether each is reachable; null when not clustered.</summary>
    public IReadOnlyList<MemberSample>? Members { get; init; }
}

public sealed record CircuitSample(string DeploymentId, bool Open);

/// <param name="KeyIdPrefix">The start of the key's id, never its secret.</param>
public sealed record BudgetSample(string KeyIdPrefix, string? Alias, decimal PeriodSpend, decimal MaxBudget);

public sealed record MemberSample(string Address, bool Reachable);
