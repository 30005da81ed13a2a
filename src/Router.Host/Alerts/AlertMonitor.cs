using System.Globalization;
using Router.Contracts.Configuration;

namespace Router.Host.Alerts;

/// <summary>
/// Turns successive <see cref="AlertSnapshot"/>s into events, one per change of state (see <see cref="AlertGate"/>).
/// Only moves that need attention, or that end one, are events: a budget passing 80 % and 100 % (its reset is
/// silent), a circuit opening and closing, a circuit not closed for longer than provider-failing-after, a peer
/// unreachable or gone and then back, the database or Redis down and back, a backlog above its limit and drained again.
/// </summary>
public sealed class AlertMonitor(AlertsSettings settings, string node, TimeProvider clock)
{
    private readonly AlertGate _gate = new(clock, settings.HoldOff);
    private readonly Dictionary<string, DateTimeOffset> _openSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);

    public IReadOnlyList<AlertEvent> Observe(AlertSnapshot snapshot)
    {
        List<AlertEvent> events = [];
        var now = clock.GetUtcNow();
        foreach (var circuit in snapshot.Circuits) Circuit(circuit, now, events);
        foreach (var budget in snapshot.Budgets) Budget(budget, events);
        if (snapshot.StorageUp is { } storageUp)
            UpDown("storage", storageUp, AlertEvents.StorageDown, AlertEvents.StorageUp, "the database", events);
        if (snapshot.CacheUp is { } cacheUp)
            UpDown("cache", cacheUp, AlertEvents.CacheDown, AlertEvents.CacheUp, "Redis (the response cache)", events);
        Backlog("request-log", snapshot.RequestLogBacklog, settings.RequestLogBacklog, AlertEvents.RequestLogBacklog,
            AlertEvents.RequestLogBacklogCleared, "request-log rows wait in the outbox for the database", events);
        Backlog("settlement", snapshot.SettlementBacklog, settings.SettlementBacklog, AlertEvents.SettlementBacklog,
            AlertEvents.SettlementBacklogCleared, "settlements wait for their key's confirmation", events);
        if (snapshot.Members is { } members) Members(members, events);
        return events;
    }

    private void Circuit(CircuitSample circuit, DateTimeOffset now, List<AlertEvent> events)
    {
        var id = circuit.DeploymentId;
        Dictionary<string, string> details = new() { ["deployment"] = id };
        if (_gate.Changed("circuit:" + id, circuit.Open ? "open" : "closed", "closed", out _))
            events.Add(circuit.Open
                ? Event(AlertEvents.CircuitOpen, AlertSeverity.Warning, id, $"circuit of {id} opened: its calls fail over", details)
                : Event(AlertEvents.CircuitClosed, AlertSeverity.Info, id, $"circuit of {id} closed: it serves again", details));

        if (!circuit.Open) _openSince.Remove(id);
        else if (!_openSince.ContainsKey(id)) _openSince[id] = now;
        var failingFor = _openSince.TryGetValue(id, out var since) ? now - since : TimeSpan.Zero;
        var failing = failingFor >= settings.ProviderFailingAfter;
        if (_gate.Changed("failing:" + id, failing ? "failing" : "ok", "ok", out _) && failing)
            events.Add(Event(AlertEvents.ProviderFailing, AlertSeverity.Critical, id,
                $"{id} has been failing for {Minutes(failingFor)}",
                new Dictionary<string, string>(details) { ["failing-since"] = since.ToString("u", CultureInfo.InvariantCulture) }));
    }

    private void Budget(BudgetSample budget, List<AlertEvent> events)
    {
        if (budget.MaxBudget <= 0) return;
        var share = budget.PeriodSpend / budget.MaxBudget;
        var level = share >= 1 ? "100" : share >= 0.8m ? "80" : "under";
        var name = budget.Alias is { } alias ? $"{alias} ({budget.KeyIdPrefix}…)" : budget.KeyIdPrefix + "…";
        // Only a rise is news; a new period lowering the share is taken silently, so the next rise is sent again.
        if (!_gate.Changed("budget:" + budget.KeyIdPrefix, level, "under", out var from) || Rank(level) < Rank(from)) return;
        Dictionary<string, string> details = new()
        {
            ["key"] = budget.KeyIdPrefix + "…",
            ["spend"] = "$" + budget.PeriodSpend.ToString("0.######", CultureInfo.InvariantCulture),
            ["budget"] = "$" + budget.MaxBudget.ToString("0.######", CultureInfo.InvariantCulture),
            ["used"] = share.ToString("P0", CultureInfo.InvariantCulture),
        };
        if (budget.Alias is not null) details["alias"] = budget.Alias;
        events.Add(level == "100"
            ? Event(AlertEvents.Budget100, AlertSeverity.Critical, budget.KeyIdPrefix, $"key {name} has spent its whole budget", details)
            : Event(AlertEvents.Budget80, AlertSeverity.Warning, budget.KeyIdPrefix, $"key {name} has spent 80 % of its budget", details));
    }

    private static int Rank(string level) => level switch { "100" => 2, "80" => 1, _ => 0 };

    private void UpDown(string subject, bool up, string downEvent, string upEvent, string what, List<AlertEvent> events)
    {
        if (!_gate.Changed(subject, up ? "up" : "down", "up", out _)) return;
        events.Add(up
            ? Event(upEvent, AlertSeverity.Info, subject, $"{what} answers again", new Dictionary<string, string>())
            : Event(downEvent, AlertSeverity.Critical, subject, $"{what} is unreachable", new Dictionary<string, string>()));
    }

    private void Backlog(string subject, long waiting, int limit, string overEvent, string clearedEvent, string what, List<AlertEvent> events)
    {
        // The all-clear tells whoever was paged that the store caught up and nothing more is to be done: it waits for an empty
        // backlog, not one merely back under its limit and still draining (between the two the last state stands).
        var state = waiting > limit ? "over" : waiting == 0 ? "ok" : null;
        if (state is null || !_gate.Changed(subject, state, "ok", out _)) return;
        Dictionary<string, string> details = new()
        {
            ["waiting"] = waiting.ToString(CultureInfo.InvariantCulture), ["limit"] = limit.ToString(CultureInfo.InvariantCulture),
        };
        events.Add(state == "over"
            ? Event(overEvent, AlertSeverity.Warning, subject, $"{waiting} {what} (limit {limit})", details)
            : Event(clearedEvent, AlertSeverity.Info, subject, $"{subject} backlog drained: nothing waiting (limit {limit})", details));
    }

    private void Members(IReadOnlyList<MemberSample> members, List<AlertEvent> events)
    {
        var present = members.Select(m => m.Address).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _members.Where(m => !present.Contains(m)).ToList())
        {
            _members.Remove(gone);
            if (_gate.Changed("node:" + gone, "gone", "up", out _))
                events.Add(Event(AlertEvents.NodeLeft, AlertSeverity.Warning, gone, $"node {gone} left the cluster",
                    new Dictionary<string, string> { ["member"] = gone }));
        }
        foreach (var member in members)
        {
            _members.Add(member.Address);
            if (!_gate.Changed("node:" + member.Address, member.Reachable ? "up" : "unreachable", "up", out _)) continue;
            // Back from unreachable, or a member again after it left (the peer restarted): the pair is whole again.
            events.Add(member.Reachable
                ? Event(AlertEvents.NodeUp, AlertSeverity.Info, member.Address, $"node {member.Address} is a reachable member again",
                    new Dictionary<string, string> { ["member"] = member.Address })
                : Event(AlertEvents.NodeUnreachable, AlertSeverity.Critical, member.Address, $"node {member.Address} is unreachable",
                    new Dictionary<string, string> { ["member"] = member.Address }));
        }
    }

    private static string Minutes(TimeSpan span) => span.TotalMinutes >= 1
        ? $"{Math.Floor(span.TotalMinutes).ToString(CultureInfo.InvariantCulture)} min"
        : $"{Math.Floor(span.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s";

    private AlertEvent Event(string name, AlertSeverity severity, string subject, string summary, IReadOnlyDictionary<string, string> details) =>
        new(name, severity, subject, summary, details, node, clock.GetUtcNow());
}
