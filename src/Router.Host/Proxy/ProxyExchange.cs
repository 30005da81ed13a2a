using Router.Actors.Routing;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Configuration;

namespace Router.Host.Proxy;

/// <summary>
/// One request on its walk, as YARP's forwarder carries a request in its per-request feature: who asked, what,
/// and where it may go, made once the request is authenticated, read and routed, and read by every step after
/// (the cache, the attempts, the forwarder, the stream relay).
/// </summary>
public sealed class ProxyExchange
{
    public required HttpContext Context { get; init; }
    public required string RequestId { get; init; }
    public required ProxyOperation Operation { get; init; }
    public required AuthenticatedKey Key { get; init; }

    /// <summary>
    /// The request as it is sent: the client's, parsed once; or, once the key's budget lowered its completion limit, a
    /// copy with the lower limit. No step changes the object itself: a dialect builds its call from it.
    /// </summary>
    public required ProxyRequest Request { get; set; }

    /// <summary>The configuration in force when the request arrived: it serves the request to its end, whatever a reload does.</summary>
    public required RoutingConfig Routing { get; init; }

    /// <summary>The model as requested, resolved to its route.</summary>
    public required RouteMatch Route { get; init; }

    /// <summary>Request log and tracing: where the walk records its attempts.</summary>
    public required RequestTrace Trace { get; init; }

    /// <summary>Whether the answer is streamed to the client.</summary>
    public bool Streaming => Operation.CanStream && Request.IsStreaming;

    /// <summary>Whether the client asked for the usage chunk of a stream (no dialect changes the request, so it still says).</summary>
    public bool ClientWantsUsage => Request.StreamOptions?.IncludeUsage == true;

    /// <summary>Sees each stream frame the client is sent (the request's first-token clock, the cache's assembler).</summary>
    public Action<byte[]>? ObserveFrames { get; init; }

    /// <summary>Cancelled when the client leaves.</summary>
    public CancellationToken Aborted => Context.RequestAborted;
}
