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
    public sealed record ReportOutcome(string DeploymentId, CallResult Result, TimeSpan Latency);

    public sealed record GetState(string DeploymentId);

    public sealed record State(string DeploymentId, CircuitState Circuit, int ConsecutiveFailures, double LatencyEwmaMs);
}

public enum CallResult
{
    /// <summary>The provider answered (a refusal the caller caused, such as a 400, counts as an answer).</summary>
    Answered,
    /// <summary>Unreachable, too slow, a 5xx or 429, or a broken stream.</summary>
    ProviderFailed,
    /// <summary>The caller left first: says nothing about the provider.</summary>
    Abandoned,
}

public enum CircuitState
{
    Closed,
    Open,
    HalfOpen,
}
