using System.Threading.Channels;
using Router.Contracts.Configuration;

namespace Router.Host.Alerts;

/// <summary>
/// The last alerts of this node and how each target took them, for <c>/admin/alerts</c> and <c>/ui/alerts</c>.
/// Read from memory; every change is also queued for <see cref="AlertHistoryWriter"/>, which keeps it in
/// <see cref="AlertHistoryStore"/> off the caller's thread, so a restart finds the history as it was.
/// </summary>
public sealed class AlertHistory
{
    private readonly LinkedList<Entry> _entries = [];
    private readonly Lock _lock = new();
    private readonly int _capacity;
    private long _nextId;

    // Ids of alerts added or changed since the writer last looked; unbounded, but an alert changes a few times at most.
    private readonly Channel<long> _changed = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>A history that starts with <paramref name="kept"/> (newest first), as a previous run left it.</summary>
    public AlertHistory(int capacity, IReadOnlyList<StoredAlert>? kept = null)
    {
        _capacity = capacity;
        foreach (var stored in (kept ?? []).Take(capacity))
            _entries.AddLast(new Entry(stored.Id, stored.Alert, [.. stored.Deliveries]));
        _nextId = _entries.First?.Value.Id ?? 0;
    }

    public int Capacity => _capacity;

    /// <summary>Ids of the alerts added or changed, for the writer.</summary>
    public ChannelReader<long> Changed => _changed.Reader;

    /// <summary>Records an alert with a pending delivery to each target, and gives its id.</summary>
    public long Add(AlertEvent alert, IEnumerable<AlertTarget> targets)
    {
        long id;
        lock (_lock)
        {
            var entry = new Entry(++_nextId, alert, [.. targets.Select(t => new DeliveryView(t.Name, t.Format.ToString().ToLowerInvariant(), DeliveryStatus.Pending, 0, null, null))]);
            _entries.AddFirst(entry);
            while (_entries.Count > _capacity) _entries.RemoveLast();
            id = entry.Id;
        }
        _changed.Writer.TryWrite(id);
        return id;
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
        _changed.Writer.TryWrite(id);
    }

    /// <summary>The alert as it stands now, to be written; null once newer alerts pushed it out.</summary>
    public StoredAlert? Snapshot(long id)
    {
        lock (_lock)
            return _entries.FirstOrDefault(e => e.Id == id) is { } entry ? new StoredAlert(entry.Id, entry.Alert, [.. entry.Deliveries]) : null;
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
