using Router.Contracts.Configuration;

namespace Router.Host.Alerts;

/// <summary>
/// The last alerts of this node and how each target took them, for <c>/admin/alerts</c> and <c>/ui/alerts</c>.
/// Kept in memory only (a first version): a restart forgets them, which the page says.
/// </summary>
public sealed class AlertHistory(int capacity)
{
    private readonly LinkedList<Entry> _entries = [];
    private readonly Lock _lock = new();
    private long _nextId;

    public int Capacity => capacity;

    /// <summary>Records an alert with a pending delivery to each target, and gives its id.</summary>
    public long Add(AlertEvent alert, IEnumerable<AlertTarget> targets)
    {
        lock (_lock)
        {
            var entry = new Entry(++_nextId, alert, [.. targets.Select(t => new DeliveryView(t.Name, t.Format.ToString().ToLowerInvariant(), DeliveryStatus.Pending, 0, null, null))]);
            _entries.AddFirst(entry);
            while (_entries.Count > capacity) _entries.RemoveLast();
            return entry.Id;
        }
    }

    public void Update(long id, DeliveryView delivery)
    {
        lock (_lock)
        {
            var entry = _entries.FirstOrDefault(e => e.Id == id);
            if (entry is null) return; // pushed out by newer alerts while it was being delivered
            var at = entry.Deliveries.FindIndex(d => d.Target == delivery.Target);
            if (at >= 0) entry.Deliveries[at] = delivery;
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<AlertView> Last(int count)
    {
        lock (_lock)
            return [.. _entries.Take(count).Select(e => AlertView.Of(e.Id, e.Alert, [.. e.Deliveries]))];
    }

    private sealed record Entry(long Id, AlertEvent Alert, List<DeliveryView> Deliveries);
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Retrying = "retrying";
    public const string Sent = "sent";
    public const string Failed = "failed";
}

/// <param name="Error">Why the last try failed, in words of ours (a status code, "timed out"); never the target's URL.</param>
public sealed record DeliveryView(string Target, string Format, string Status, int Attempts, string? Error, DateTimeOffset? At);

public sealed record AlertView(
    long Id, string Event, string Severity, string Summary, IReadOnlyDictionary<string, string> Details, string Node, DateTimeOffset At,
    IReadOnlyList<DeliveryView> Deliveries)
{
    public static AlertView Of(long id, AlertEvent alert, IReadOnlyList<DeliveryView> deliveries) =>
        new(id, alert.Event, AlertPayloads.Severity(alert.Severity), alert.Summary, alert.Details, alert.Node, alert.At, deliveries);
}
