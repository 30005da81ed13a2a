using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// What a key has settled that no write has taken yet: its sums, the time of the latest, and the requests' ids. Added to in
/// place: every settled request is added, and a new sum each time was a record a request (bench/README.md, issue 24).
/// </summary>
internal sealed class UnwrittenUsage
{
    private long _requests;
    private long _promptTokens;
    private long _completionTokens;
    private decimal _cost;
    private decimal _estimatedCost;
    private List<string> _requestIds = [];

    public long Requests => _requests;

    /// <summary>When the latest unwritten usage was settled.</summary>
    public DateTimeOffset LastAt { get; private set; }

    public void Add(KeyBudget.UsageRecorded usage, string requestId)
    {
        _requests += usage.Requests;
        _promptTokens += usage.PromptTokens;
        _completionTokens += usage.CompletionTokens;
        _cost += usage.Cost;
        _estimatedCost += usage.EstimatedCost;
        LastAt = usage.At ?? throw new ArgumentException("Usage to write needs its time", nameof(usage));
        _requestIds.Add(requestId);
    }

    /// <summary>The sums alone, without a time or ids.</summary>
    public KeyBudget.UsageRecorded Sums => new(_requests, _promptTokens, _completionTokens, _cost, EstimatedCost: _estimatedCost);

    /// <summary>
    /// Everything unwritten as one write, stamped with when its latest usage was settled (not written: a write may come after
    /// the period ended); nothing is unwritten after.
    /// </summary>
    public KeyBudget.UsageRecorded Take()
    {
        var usage = new KeyBudget.UsageRecorded(_requests, _promptTokens, _completionTokens, _cost, LastAt, _requestIds, _estimatedCost);
        (_requests, _promptTokens, _completionTokens, _cost, _estimatedCost, _requestIds) = (0, 0, 0, 0, 0, []);
        return usage;
    }
}
