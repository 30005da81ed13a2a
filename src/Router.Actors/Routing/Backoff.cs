namespace Router.Actors.Routing;

/// <summary>Exponential backoff with "equal jitter": half the step for sure, the other half random.</summary>
public static class Backoff
{
    /// <param name="retry">1 for the first retry.</param>
    public static TimeSpan Delay(int retry, TimeSpan baseDelay, TimeSpan maxDelay, Random random)
    {
        var step = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, retry - 1)));
        return TimeSpan.FromMilliseconds(step / 2 + random.NextDouble() * step / 2);
    }
}
