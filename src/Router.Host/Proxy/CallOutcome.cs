using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Proxy;

/// <summary>
/// How one upstream call ended: what to tell the breaker and the key's budget actor, and the error
/// still to be written when the response has not started.
/// </summary>
public sealed record CallOutcome(TokenUsage Usage, bool ProviderFailed, TimeSpan Latency, RouterError? Error)
{
    public static CallOutcome Succeeded(TokenUsage? usage, TimeSpan latency) => new(usage ?? TokenUsage.None, false, latency, null);

    public static CallOutcome Failed(RouterError error, bool providerFailed, TimeSpan latency) => new(TokenUsage.None, providerFailed, latency, error);

    /// <summary>The client went away: nobody to answer, and nothing the provider did wrong.</summary>
    public static readonly CallOutcome ClientGone = new(TokenUsage.None, false, TimeSpan.Zero, null);
}
