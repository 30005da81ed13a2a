namespace Router.Contracts.Messages;

/// <summary>Messages of the <c>ProviderBreakerActor</c>, one actor per deployment on each node.</summary>
public static class ProviderBreaker
{
    /// <summary>Forwarded by the key's budget actor; the breaker answers the original asker.</summary>
    public sealed record RequestPermit(string DeploymentId, string RequestId);

    public sealed record Permit(string DeploymentId);

    /// <summary>The circuit is open: fail fast instead of waiting on a provider known to be failing.</summary>
    public sealed record Refused(string DeploymentId, TimeSpan RetryAfter);

    /// <summary>How a permitted call ended. Only provider-side failures count against the circuit.</summary>
    public sealed record ReportOutcome(string DeploymentId, bool ProviderFailed, TimeSpan Latency);

    public sealed record GetState(string DeploymentId);

    public sealed record State(string DeploymentId, CircuitState Circuit, int ConsecutiveFailures, double LatencyEwmaMs);
}

public enum CircuitState
{
    Closed,
    Open,
    HalfOpen,
}
