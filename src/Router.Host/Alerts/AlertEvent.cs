namespace Router.Host.Alerts;

public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}

/// <summary>
/// One notification: what happened, to what, on which node. It carries no secret: keys appear by alias and
/// id prefix, circuits by deployment id, stores by name; never a key's secret, a provider key, a URL or a password.
/// </summary>
/// <param name="Subject">What changed state (a deployment id, a key's id prefix, "storage"), for the once-per-change rule.</param>
public sealed record AlertEvent(
    string Event, AlertSeverity Severity, string Subject, string Summary, IReadOnlyDictionary<string, string> Details, string Node, DateTimeOffset At)
{
    public string Title => $"Router: {Summary}";
}

/// <summary>The names of the events, as <c>router.alerts.targets[].events</c> lists them.</summary>
public static class AlertEvents
{
    public const string Budget80 = "budget-80";
    public const string Budget100 = "budget-100";
    public const string CircuitOpen = "circuit-open";
    public const string CircuitClosed = "circuit-closed";
    public const string ProviderFailing = "provider-failing";
    public const string NodeUnreachable = "node-unreachable";
    public const string NodeLeft = "node-left";
    public const string StorageDown = "storage-down";
    public const string StorageUp = "storage-up";
    public const string CacheDown = "cache-down";
    public const string CacheUp = "cache-up";
    public const string RequestLogBacklog = "request-log-backlog";
    public const string SettlementBacklog = "settlement-backlog";

    /// <summary>Sent by <c>router alerts test</c> to every target, whatever its list.</summary>
    public const string Test = "test";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Budget80, Budget100, CircuitOpen, CircuitClosed, ProviderFailing, NodeUnreachable, NodeLeft,
        StorageDown, StorageUp, CacheDown, CacheUp, RequestLogBacklog, SettlementBacklog,
    };
}
