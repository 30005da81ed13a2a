using System.Diagnostics;
using Router.Host.RequestLog;

namespace Router.Host.Tracing;

/// <summary>
/// One child span per upstream attempt, kept by the request's trace (<c>Proxy.RequestTrace</c>): it starts when the attempt
/// does, takes the attempt's outcome when it ends, and closes once the router has decided what comes next
/// (retry, fallback, final), so the verdict is on the span that earned it.
/// </summary>
public static class AttemptSpans
{
    public const string Name = "attempt";

    /// <summary>A child of <paramref name="request"/>; null when nothing records it.</summary>
    public static Activity? Start(Activity request) =>
        RouterTracing.Source.StartActivity(Name, ActivityKind.Client, request.Context);

    public static void Ended(Activity attempt, AttemptLogEntry entry)
    {
        attempt.SetTag(SpanAttributeNames.AttemptNumber, entry.Number);
        attempt.SetTag(SpanAttributeNames.ProviderName, entry.Provider);
        attempt.SetTag(SpanAttributeNames.Deployment, entry.Deployment);
        attempt.SetTag(SpanAttributeNames.HttpStatus, entry.UpstreamStatus);
        attempt.SetTag(SpanAttributeNames.AttemptStatus, entry.Status);
        attempt.SetTag(SpanAttributeNames.AttemptLatencyMs, entry.LatencyMs);
        attempt.SetTag(SpanAttributeNames.ErrorOrigin, entry.ErrorOrigin);
        if (entry.ErrorOrigin is not null)
        {
            attempt.SetTag(SpanAttributeNames.ErrorType, entry.UpstreamStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? entry.ErrorOrigin);
            attempt.SetStatus(ActivityStatusCode.Error, $"{entry.ErrorOrigin} error, status {entry.Status}");
        }
    }

    public static void Close(Activity attempt, string verdict)
    {
        attempt.SetTag(SpanAttributeNames.AttemptVerdict, verdict);
        attempt.Stop();
    }

    /// <summary>An attempt that never reported an outcome: its call threw (the client went away mid-call).</summary>
    public static void Abandon(Activity attempt)
    {
        attempt.SetTag(SpanAttributeNames.AttemptVerdict, "abandoned");
        attempt.Stop();
    }
}
