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
