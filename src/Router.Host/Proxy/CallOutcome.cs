using Router.Actors.Routing;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Proxy;

/// <summary>
/// How one upstream call ended: what to tell the breaker and the key's budget actor, and the error
/// still to be written when the response has not started.
/// </summary>
public sealed record CallOutcome(TokenUsage Usage, CallResult Result, TimeSpan Latency, RouterError? Error)
{
    /// <summary>A complete non-streamed answer as the client got it (OpenAI's format), for the cache.</summary>
    public byte[]? Body { get; init; }

    public static CallOutcome Answered(TokenUsage? usage, TimeSpan latency) => new(usage ?? TokenUsage.None, CallResult.Answered, latency, null);

    public static CallOutcome Failed(RouterError error, bool providerFailed, TimeSpan latency) =>
        new(TokenUsage.None, providerFailed ? CallResult.ProviderFailed : CallResult.Answered, latency, error);

    /// <summary>
    /// A graceful stop cut the call before it ended: not the provider's fault, and not to be retried here
    /// (the peer, or this node once restarted, serves the retry).
    /// </summary>
    public static CallOutcome RouterStopping(TokenUsage? usage, TimeSpan latency) =>
        new(usage ?? TokenUsage.None, CallResult.Abandoned, latency, StoppingError);

    public static readonly RouterError StoppingError = RouterError.Unavailable(
        "The router is stopping and cut this answer short; send the request again.", "router_stopping", TimeSpan.FromSeconds(1));

    /// <summary>What the router does after this attempt (<paramref name="responseStarted"/>: the client has part of the answer).</summary>
    public AttemptVerdict Verdict(bool responseStarted) => AttemptVerdicts.Of(Result, Error?.Body, Error?.Status ?? 0, responseStarted);

    /// <summary>The client went away: nobody to answer, and nothing the provider did wrong.</summary>
    public static CallOutcome ClientGone(TokenUsage? usage = null) => new(usage ?? TokenUsage.None, CallResult.Abandoned, TimeSpan.Zero, null);
}
