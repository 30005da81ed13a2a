using System.Diagnostics;
using System.Globalization;
using Router.Actors.Routing;
using Router.Host.RequestLog;
using Router.Host.Tracing;

namespace Router.Host.Proxy;

/// <summary>
/// What one request's walk leaves for the request log while it runs: when it started, its attempts and
/// the time they spent waiting on providers, and when the first stream frame left. Filled by
/// <see cref="ProxyHandler"/> and <see cref="AttemptLoop"/> on the request's own task.
/// </summary>
public sealed class RequestTrace
{
    public const string OverheadHeader = "x-router-overhead-ms";

    private readonly List<AttemptLogEntry> _attempts = [];
    private long _attemptStarted;
    private TimeSpan _providerTime;
    private Activity? _attemptSpan;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public long Started { get; } = Stopwatch.GetTimestamp();
    public double? TtftMs { get; private set; }
    public IReadOnlyList<AttemptLogEntry> Attempts => _attempts;
    public AttemptLogEntry? LastAttempt => _attempts.Count == 0 ? null : _attempts[^1];

    /// <summary>Tracing: the request's span, parent of one span per attempt; null when tracing is off or not sampled.</summary>
    public Activity? Span { get; set; }

    public void AttemptStarting()
    {
        Volatile.Write(ref _attemptStarted, Stopwatch.GetTimestamp());
        if (Span is not null) _attemptSpan = AttemptSpans.Start(Span);
    }

    public void AttemptEnded(Deployment deployment, CallOutcome outcome)
    {
        Volatile.Write(ref _attemptStarted, 0);
        _providerTime += outcome.Latency;
        var error = outcome.Error;
        var status = error?.Status ?? (outcome.Result == Contracts.Messages.CallResult.Abandoned ? 499 : 200);
        var upstream = error is null ? (outcome.Result == Contracts.Messages.CallResult.Abandoned ? null : 200) : error.Body.UpstreamStatus;
        var entry = new AttemptLogEntry(_attempts.Count + 1, deployment.ProviderName, deployment.Id, status, upstream,
            outcome.Latency.TotalMilliseconds, error?.Body.Origin, "final");
        _attempts.Add(entry);
        if (_attemptSpan is not null) AttemptSpans.Ended(_attemptSpan, entry);
    }

    /// <summary>What the router did after the last attempt.</summary>
    public void Verdict(AttemptVerdict verdict)
    {
        if (_attempts.Count == 0) return;
        _attempts[^1] = _attempts[^1] with { Verdict = Name(verdict) };
        if (_attemptSpan is not null) AttemptSpans.Close(_attemptSpan, _attempts[^1].Verdict);
        _attemptSpan = null;
    }

    /// <summary>Closes the span of an attempt whose call threw before it had an outcome.</summary>
    public void AbandonAttemptSpan()
    {
        if (_attemptSpan is not null) AttemptSpans.Abandon(_attemptSpan);
        _attemptSpan = null;
    }

    public void FrameSent()
    {
        TtftMs ??= Stopwatch.GetElapsedTime(Started).TotalMilliseconds;
    }

    /// <summary>Time so far not spent waiting on a provider (an attempt in flight counts as waiting).</summary>
    public double OverheadMs()
    {
        var elapsed = Stopwatch.GetElapsedTime(Started);
        var waiting = _providerTime;
        var current = Volatile.Read(ref _attemptStarted);
        if (current != 0) waiting += Stopwatch.GetElapsedTime(current);
        return Math.Max(0, (elapsed - waiting).TotalMilliseconds);
    }

    public double ElapsedMs() => Stopwatch.GetElapsedTime(Started).TotalMilliseconds;

    /// <summary>The time of the attempts that ended, together (each attempt's latency, as its entry has it).</summary>
    public double AttemptsMs => _providerTime.TotalMilliseconds;

    public static string Format(double ms) => ms.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Name(AttemptVerdict verdict) => verdict switch
    {
        AttemptVerdict.Final => "final",
        AttemptVerdict.CallerError => "caller_error",
        AttemptVerdict.Retryable => "retry",
        AttemptVerdict.ContextWindowExceeded => "context_window_fallback",
        AttemptVerdict.ContentPolicy => "content_policy_fallback",
        _ => verdict.ToString(),
    };
}
