namespace Router.Host.Alerts;

/// <summary>
/// Remembers the last state announced for each subject, so that each change is announced once. A subject that
/// changes again within the hold-off of its last announcement is not announced yet: the sampler sees it again,
/// and once the hold-off has passed whatever state it then holds is announced (if it differs), so a flapping
/// circuit gives one message per hold-off rather than a storm, and the final state is never lost.
/// </summary>
public sealed class AlertGate(TimeProvider clock, TimeSpan holdOff)
{
    private readonly Dictionary<string, (string Reported, DateTimeOffset? At)> _subjects = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether <paramref name="subject"/>'s move to <paramref name="state"/> is to be announced now; the state it
    /// moved from is in <paramref name="from"/>. A subject never seen is taken to have been in <paramref name="baseline"/>.
    /// </summary>
    public bool Changed(string subject, string state, string baseline, out string from)
    {
        var (reported, at) = _subjects.TryGetValue(subject, out var known) ? known : (baseline, null);
        from = reported;
        if (state == reported) return false;
        var now = clock.GetUtcNow();
        if (at is { } last && now - last < holdOff) return false;
        _subjects[subject] = (state, now);
        return true;
    }

    /// <summary>The state last announced (or taken as baseline) for a subject; null if never seen.</summary>
    public string? Reported(string subject) => _subjects.TryGetValue(subject, out var known) ? known.Reported : null;
}
