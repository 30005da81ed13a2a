namespace Router.Actors.Routing;

/// <summary>
/// Caps a model's retries to a share of its requests (plus a small floor per second), as a token
/// bucket: each request adds <c>ratio</c> of a token, time adds <c>minPerSecond</c>, a retry takes one.
/// When a provider fails every call, retries stop multiplying the load on it.
/// </summary>
public sealed class RetryBudget(double ratio, double minPerSecond, TimeProvider clock)
{
    // Enough for a burst of retries after a quiet spell, not enough to hide a provider that is down.
    private const double Capacity = 20;
    // Summing a ratio such as 0.2 drifts just below whole tokens (ten requests make 1.9999999999999998).
    private const double Tolerance = 1e-9;
    private readonly Lock _lock = new();

    /// <summary>The share of requests that may be retried.</summary>
    public double Ratio => ratio;

    /// <summary>The retries allowed each second whatever the traffic.</summary>
    public double MinPerSecond => minPerSecond;

    private double _tokens = Capacity;
    private long _lastRefill = clock.GetTimestamp();

    public void RecordRequest()
    {
        lock (_lock) _tokens = Math.Min(Capacity, _tokens + ratio);
    }

    public bool TryRetry()
    {
        lock (_lock)
        {
            var now = clock.GetTimestamp();
            _tokens = Math.Min(Capacity, _tokens + clock.GetElapsedTime(_lastRefill, now).TotalSeconds * minPerSecond);
            _lastRefill = now;
            if (_tokens < 1 - Tolerance) return false;
            _tokens = Math.Max(0, _tokens - 1);
            return true;
        }
    }
}
