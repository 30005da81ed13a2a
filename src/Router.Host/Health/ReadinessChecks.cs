namespace Router.Host.Health;

/// <summary>
/// What readiness found, check by check. Anyone may learn whether each check is ok, degraded or failing;
/// the reasons (which may name hosts, users and ports) are shown to the master key only.
/// </summary>
public sealed class ReadinessChecks
{
    private enum Verdict { Ok, Degraded, Failing }

    private readonly List<(string Name, Verdict Verdict, string Reason)> _checks = [];

    public void Ok(string name) => _checks.Add((name, Verdict.Ok, "ok"));

    /// <summary>The router still serves, worse (without the cache, or without its database for anything but existing keys).</summary>
    public void Degraded(string name, string reason) => _checks.Add((name, Verdict.Degraded, reason));

    /// <summary>The router must not take requests.</summary>
    public void Failing(string name, string reason) => _checks.Add((name, Verdict.Failing, reason));

    public bool Ready => _checks.TrueForAll(c => c.Verdict != Verdict.Failing);

    public string Status => !Ready ? "not ready" : _checks.Exists(c => c.Verdict == Verdict.Degraded) ? "degraded" : "ready";

    public Dictionary<string, string> View(bool withReasons) =>
        _checks.ToDictionary(c => c.Name, c => withReasons ? c.Reason : c.Verdict.ToString().ToLowerInvariant());
}
