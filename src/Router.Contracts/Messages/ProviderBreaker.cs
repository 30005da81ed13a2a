namespace Router.Contracts.Messages;

/// <summary>Every message for a deployment's breaker names its deployment: that is what places the breaker.</summary>
public interface IProviderBreakerMessage
{
    string DeploymentId { get; }
}

/// <summary>Messages of the <c>ProviderBreakerActor</c>, one actor per deployment on each node.</summary>
public static class ProviderBreaker
{
    /// <summary>Forwarded by the key's budget actor; the breaker answers the original asker.</summary>
    /// <param name="KeyRemaining">What the key's budget has left besides this request (none without a budget), passed on in the permit.</param>
    /// <param name="CappedMaxTokens">The completion limit the key's budget lowered the request to (none: not lowered), passed on in the permit.</param>
    public sealed record RequestPermit(string DeploymentId, string RequestId, decimal? KeyRemaining = null, int? CappedMaxTokens = null)
        : IProviderBreakerMessage, IPersistedMessage;

    /// <param name="KeyRemaining">As in <see cref="RequestPermit"/>: the caller is told it without asking the key again.</param>
    /// <param name="CappedMaxTokens">As in <see cref="RequestPermit"/>: the request must be sent with no larger a completion limit.</param>
    public sealed record Permit(string DeploymentId, decimal? KeyRemaining = null, int? CappedMaxTokens = null) : IPersistedMessage;

    /// <summary>
    /// The circuit is open: fail fast instead of waiting on a provider known to be failing. The key admitted the request
    /// all the same (it goes to another deployment), so what the key said comes along.
    /// </summary>
    public sealed record Refused(string DeploymentId, TimeSpan RetryAfter, decimal? KeyRemaining = null, int? CappedMaxTokens = null)
        : IPersistedMessage;

    /// <summary>
    /// How a permitted call ended. Only provider-side failures count against the circuit.
    /// <paramref name="RetryAfter"/>: the provider asked for a pause (429 or 503 with <c>Retry-After</c>);
    /// the deployment is not used again before it ends.
    /// </summary>
    public sealed record ReportOutcome(string DeploymentId, CallResult Result, TimeSpan Latency, TimeSpan? RetryAfter = null)
        : IProviderBreakerMessage;

    public sealed record GetState(string DeploymentId) : IProviderBreakerMessage;

    /// <summary>
    /// An operator opens the circuit by hand (<c>router breakers trip</c>) for <paramref name="For"/>; it then
    /// half-opens and probes as after any opening. Answered with the breaker's <see cref="State"/>.
    /// </summary>
    public sealed record Trip(string DeploymentId, TimeSpan For) : IProviderBreakerMessage;

    /// <summary>
    /// An operator closes the circuit by hand (<c>router breakers reset</c>): its failures, its window and any
    /// provider's pause are forgotten. Answered with the breaker's <see cref="State"/>.
    /// </summary>
    public sealed record Reset(string DeploymentId) : IProviderBreakerMessage;

    /// <param name="OpenUntil">While open (or cooling down after a <c>Retry-After</c>): when a probe may go through.</param>
    /// <param name="CallsInWindow">Outcomes counted in the failure-rate window.</param>
    /// <param name="FailureRate">Share of those outcomes that were provider failures (0 when none).</param>
    public sealed record State(
        string DeploymentId, CircuitState Circuit, int ConsecutiveFailures, double LatencyEwmaMs,
        DateTimeOffset? OpenUntil = null, int CallsInWindow = 0, double FailureRate = 0)
    {
        public static State Untried(string deploymentId) => new(deploymentId, CircuitState.Closed, 0, 0);

        /// <summary>Whether a permit would be refused at <paramref name="now"/> (a half-open probe slot counts as free).</summary>
        public bool RefusesAt(DateTimeOffset now) => Circuit == CircuitState.Open && OpenUntil > now;
    }
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
