using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// What this node's run has counted for a key: its entry in the key's replica (<see cref="KeyReplica"/>), which
/// only this run writes, with the ids of its last counted requests.
/// </summary>
internal sealed class OwnRun
{
    private KeyBudget.ReplicaUsage _counted = new(0, 0, 0, 0, null, 0, []);
    private readonly Queue<string> _recentIds = new();

    /// <summary>Goes on from the entry this run wrote before (the key's actor started here again), if any.</summary>
    public void Restore(KeyBudget.ReplicaUsage? entry)
    {
        if (entry is null) return;
        _counted = entry;
        foreach (var id in entry.RecentIds) _recentIds.Enqueue(id);
    }

    /// <summary>Counts usage; <paramref name="periodCost"/> of it in the budget period starting <paramref name="periodStart"/>.</summary>
    public void Add(KeyBudget.UsageRecorded usage, decimal periodCost, DateTimeOffset? periodStart)
    {
        var samePeriod = _counted.PeriodStart == periodStart;
        _counted = new KeyBudget.ReplicaUsage(
            _counted.Requests + usage.Requests, _counted.PromptTokens + usage.PromptTokens, _counted.CompletionTokens + usage.CompletionTokens,
            _counted.Cost + usage.Cost, periodStart, (samePeriod ? _counted.PeriodSpend : 0) + periodCost, [],
            _counted.EstimatedCost + usage.EstimatedCost);
    }

    /// <summary>Remembers a counted request, forgetting the oldest beyond <see cref="KeyReplica.ReplicatedRequestIds"/>.</summary>
    public void Remember(string requestId)
    {
        _recentIds.Enqueue(requestId);
        if (_recentIds.Count > KeyReplica.ReplicatedRequestIds) _recentIds.Dequeue();
    }

    /// <summary>The entry as the replica is to hold it now.</summary>
    public KeyBudget.ReplicaUsage Entry() => _counted with { RecentIds = [.. _recentIds] };
}
