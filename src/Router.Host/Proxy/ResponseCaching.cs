using System.Globalization;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Caching;
using Router.Host.Http;

namespace Router.Host.Proxy;

/// <summary>
/// How one request uses the cache: where the answer of its own route lives, and whether to read and write it.
/// <paramref name="Owner"/> is the key whose entries these are (null in a shared namespace), kept with the
/// request's namespace and operation so that an answer a fallback produced can be stored under that model's entry.
/// </summary>
public sealed record CachePlan(
    CacheEntryKey Key, bool Lookup, bool Store, TimeSpan Ttl, bool Streaming,
    RouteMatch Route, string? Owner, CacheDirectives Directives, string Operation);

/// <summary>
/// The cache on the request path. Entries are each key's own unless their namespace is shared
/// (<see cref="CacheOwner"/>). A hit is still admitted by the key's budget actor (so a key only gets
/// answers for models it may use, within its rate limits) and costs nothing; it is answered as JSON, or
/// replayed as SSE for a streaming request. A miss stores the complete answer: a JSON body as sent, or a
/// stream assembled from its chunks once it finished. Errors and cut streams are never stored.
/// <para>
/// An answer is stored under the model that produced it: a fallback's answer under the entry a request
/// for the fallback would find, never under the model that failed. So a hit always comes from a deployment
/// of the route asked for, and admitting the requested model admits the model that produced the answer; an
/// entry that a route's deployments could not have produced (see <see cref="CacheProducer.CouldBeProducedBy"/>)
/// is a miss.
/// </para>
/// </summary>
public sealed class ResponseCaching(IResponseCacheStore store, CacheSettings settings, Admission admission, TimeProvider clock)
{
    public const string Header = "x-router-cache";

    /// <summary>
    /// The plan for a request, or null when it bypasses the cache (off for the model, <c>no-store</c>, a stream other than
    /// chat's: a legacy completion's or a Messages one, whose events are replayed from no stored answer).
    /// </summary>
    /// <param name="controls">The body's <c>cache</c> object, when it had one.</param>
    public CachePlan? Plan(HttpContext context, ProxyRequest request, RouteMatch route, ProxyOperation operation, AuthenticatedKey key,
        CacheControls? controls = null)
    {
        var streaming = operation.CanStream && request.IsStreaming;
        var directives = CacheDirectives.From(context.Request.Headers, controls);
        // A response of the Responses API is an object with its own id and stored state, not an answer to hand out again.
        if (!settings.EnabledFor(route.RequestedModel) || !directives.Store || (streaming && operation != ProxyOperation.ChatCompletions)
            || operation == ProxyOperation.Responses)
        {
            context.Response.Headers[Header] = "bypass";
            return null;
        }
        var owner = CacheOwner.Of(key, directives.Namespace, settings);
        var operationName = OperationName(operation);
        var entry = KeyFor(route, owner, directives, operationName, request);
        // The entry's id, for flushing just this answer.
        context.Response.Headers["x-router-cache-key"] = entry.Id;
        var ttl = TtlFor(route, directives);
        if (directives.Ttl is not null)
            context.Response.Headers["x-router-cache-ttl"] = ((long)ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return new CachePlan(entry, directives.Lookup, directives.Store, ttl, streaming, route, owner, directives, operationName);
    }

    // The provider is part of the key: ollama/gpt-4o and OpenAI's gpt-4o send the same name upstream,
    // and a key allowed one must never be answered from the other.
    private static CacheEntryKey KeyFor(RouteMatch route, string? owner, CacheDirectives directives, string operation, ProxyRequest request) =>
        CacheKeys.For(directives.Namespace, owner, route.Deployment.ProviderName, route.UpstreamModel, operation, request);

    // A caller may not pin answers in a shared store for longer than the operator allows.
    private TimeSpan TtlFor(RouteMatch route, CacheDirectives directives) =>
        directives.Ttl is { } asked ? (asked <= settings.MaxTtl ? asked : settings.MaxTtl) : settings.TtlFor(route.RequestedModel);

    /// <summary>
    /// The cached answer to the request, admitted for the key and with the hit's headers set; null on a miss.
    /// <see cref="ServeAsync"/> then writes it.
    /// </summary>
    public async Task<CachedResponse?> FindAsync(
        HttpContext context, CachePlan plan, AuthenticatedKey key, string requestId, string model)
    {
        var headers = context.Response.Headers;
        headers[Header] = "miss";
        if (!plan.Lookup) return null;
        var hit = await store.GetAsync(plan.Key, context.RequestAborted);
        // Another deployment's answer under this route's key, or one older than the caller accepts: a miss, and the
        // fresh answer replaces it.
        if (hit is null || !hit.Producer.CouldBeProducedBy(plan.Route) || clock.GetUtcNow() - hit.StoredAt > plan.Directives.MaxAge) return null;

        // No deployment to ask: the key's actor alone decides, and the request ends there at no cost (one message, no
        // settlement after it). The master key may use every model and has no limits, so for it there is nothing to decide.
        decimal? keyRemaining = null;
        if (!key.IsMaster)
        {
            var budgetId = RequestIds.ForKeyBudget(context, requestId); // the key counts each id once: not the caller's own
            keyRemaining = (await admission.AdmitAsync(key, budgetId, model, deploymentId: "", context.RequestAborted, endsAtOnce: true)).KeyRemaining;
        }

        headers[Header] = "hit";
        headers.Age = ((long)Math.Max(0, (clock.GetUtcNow() - hit.StoredAt).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        headers["x-router-cache-saved-cost"] = ChargeHeaders.Format(hit.Cost);
        ChargeHeaders.Write(headers, 0, keyRemaining);
        return hit;
    }

    /// <summary>Writes a found answer: as JSON, or replayed as the event stream the request asked for.</summary>
    public async Task ServeAsync(HttpContext context, CachePlan plan, ProxyRequest request, CachedResponse hit)
    {
        if (plan.Streaming)
        {
            context.Response.ContentType = "text/event-stream; charset=utf-8";
            context.Response.Headers.CacheControl = "no-cache";
            foreach (var frame in ChatStreamReplay.Frames(hit.Body, request.StreamOptions?.IncludeUsage == true))
                await context.Response.Body.WriteAsync(frame, context.RequestAborted);
        }
        else
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = hit.Body.Length;
            await context.Response.Body.WriteAsync(hit.Body, context.RequestAborted);
        }
    }

    /// <summary>
    /// Keeps a complete answer under the model that produced it; anything else (an error, a cut stream) is left
    /// out. A fallback's answer goes to the entry a request for the fallback would find, with that model's
    /// cache settings: left out when caching is off for it.
    /// </summary>
    public async Task StoreAsync(CachePlan plan, ProxyRequest request, AttemptsResult result, ChatStreamAssembler? assembler)
    {
        var outcome = result.Outcome;
        if (!plan.Store || outcome.Error is not null || outcome.Result != CallResult.Answered || result.Producer is not ({ } served, { } deployment)) return;
        var (key, ttl) = (plan.Key, plan.Ttl);
        if (served != plan.Route)
        {
            if (!settings.EnabledFor(served.RequestedModel)) return;
            (key, ttl) = (KeyFor(served, plan.Owner, plan.Directives, plan.Operation, request), TtlFor(served, plan.Directives));
        }
        var body = outcome.Body ?? assembler?.Complete(outcome.Usage);
        if (body is null) return;
        var answer = new CachedResponse(body, outcome.Usage, result.Cost, clock.GetUtcNow(), CacheProducer.Of(served, deployment));
        await store.SetAsync(key, answer, ttl, CancellationToken.None);
    }

    private static string OperationName(ProxyOperation operation) =>
        operation == ProxyOperation.ChatCompletions ? "chat"
        : operation == ProxyOperation.Embeddings ? "embeddings"
        : operation == ProxyOperation.Messages ? "messages"
        : "completions";
}
