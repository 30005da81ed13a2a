namespace Router.Contracts.Configuration;

/// <summary>The shape of body a webhook target expects (<c>router.alerts.targets[].format</c>).</summary>
public enum AlertFormat
{
    Generic,
    Ntfy,
    Gotify,
    Discord,
    Slack,
}

/// <summary>
/// One place alerts are posted to. <paramref name="Url"/> is treated as a secret as well as <paramref name="Token"/>:
/// Discord's and Slack's webhook URLs carry their token, and an ntfy topic name is its only protection.
/// </summary>
/// <param name="Events">The events sent to this target; empty means all of them.</param>
public sealed record AlertTarget(string Name, AlertFormat Format, Uri Url, string? Token, IReadOnlySet<string> Events)
{
    public bool Wants(string eventName) => Events.Count == 0 || Events.Contains(eventName);

    // A record prints every property; this one holds secrets, so it prints only what may be shown.
    public override string ToString() => $"{Name} ({Format.ToString().ToLowerInvariant()})";
}

/// <summary><c>router.alerts</c>: where notifications go and when a state counts as worth one.</summary>
/// <param name="HoldOff">A subject whose state changes again within this time is not re-announced until it has held.</param>
/// <param name="ProviderFailingAfter">A circuit not closed for this long raises <c>provider-failing</c>.</param>
/// <param name="RequestLogBacklog">Outbox rows above which <c>request-log-backlog</c> is raised.</param>
/// <param name="SettlementBacklog">Unconfirmed settlements above which <c>settlement-backlog</c> is raised.</param>
/// <param name="History">How many alerts <c>/admin/alerts</c> and <c>/ui/alerts</c> keep (in the data directory's alerts.db).</param>
/// <param name="Attempts">Tries per target before a delivery is marked failed.</param>
/// <param name="RetryDelay">The first wait between tries; each next one doubles.</param>
public sealed record AlertsSettings(
    IReadOnlyList<AlertTarget> Targets,
    TimeSpan SampleInterval,
    TimeSpan HoldOff,
    TimeSpan ProviderFailingAfter,
    int RequestLogBacklog,
    int SettlementBacklog,
    int History,
    int Attempts,
    TimeSpan RetryDelay)
{
    public static AlertsSettings Standard { get; } = new([], TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5),
        1000, 100, 200, 4, TimeSpan.FromSeconds(2));
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
    public const string NodeUp = "node-up";
    public const string StorageDown = "storage-down";
    public const string StorageUp = "storage-up";
    public const string CacheDown = "cache-down";
    public const string CacheUp = "cache-up";
    public const string RequestLogBacklog = "request-log-backlog";
    public const string SettlementBacklog = "settlement-backlog";
    public const string RequestLogBacklogCleared = "request-log-backlog-cleared";
    public const string SettlementBacklogCleared = "settlement-backlog-cleared";

    /// <summary>Sent by <c>router alerts test</c> to every target, whatever its list.</summary>
    public const string Test = "test";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Budget80, Budget100, CircuitOpen, CircuitClosed, ProviderFailing, NodeUnreachable, NodeLeft, NodeUp,
        StorageDown, StorageUp, CacheDown, CacheUp, RequestLogBacklog, SettlementBacklog, RequestLogBacklogCleared, SettlementBacklogCleared,
    };
}
