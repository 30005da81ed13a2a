using System.Diagnostics;

namespace Router.Host.Tracing;

/// <summary>
/// The router's spans: one per proxied request (<see cref="RequestSpans"/>) and one per upstream attempt
/// (<see cref="AttemptSpans"/>). Nothing listens unless <c>router.tracing.otlp-endpoint</c> is set
/// (<see cref="TracingSetup"/>); then <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
/// returns null and a request pays one field read.
/// </summary>
public static class RouterTracing
{
    public const string SourceName = "Router";

    public static readonly ActivitySource Source = new(SourceName);
}
