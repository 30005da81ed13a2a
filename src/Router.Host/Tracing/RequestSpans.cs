using System.Diagnostics;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Http;
using Router.Host.RequestLog;

namespace Router.Host.Tracing;

/// <summary>
/// The server span of one proxied request, named after its operation (<c>chat.completions</c>,
/// <c>completions</c>, <c>embeddings</c>). It is filled from the request log's row for the request, so a
/// trace and the log say the same thing; its attempts are child spans (<see cref="AttemptSpans"/>).
/// </summary>
public sealed class RequestSpans
{
    /// <summary>
    /// Starts the request's span, the caller's W3C <c>traceparent</c> as its parent when
    /// <paramref name="followCaller"/> (an authenticated caller), else a trace of its own. Null, before any
    /// header is read, when nothing listens (tracing off) or when this request is not sampled.
    /// </summary>
    public Activity? Start(HttpContext context, ProxyOperation operation, string requestId, bool followCaller = true)
    {
        if (!RouterTracing.Source.HasListeners()) return null;
        var headers = context.Request.Headers;
        var parent = default(ActivityContext);
        if (followCaller) ActivityContext.TryParse(headers.TraceParent, headers.TraceState, isRemote: true, out parent);
        // The span's parent is the caller's traceparent or none. ASP.NET may have made a request activity of
        // its own, which nothing records (no ASP.NET instrumentation here); under it a parent-based sampler
        // would drop every span. Cleared for this request's flow only: ASP.NET ends its activity by reference.
        Activity.Current = null;
        var (name, operationName) = Names(operation);
        var span = RouterTracing.Source.StartActivity(name, ActivityKind.Server, parent);
        if (span is null) return null;
        if (!span.IsAllDataRequested)
        {
            // Not sampled: no outgoing call carries the context on, so the span is of no use.
            span.Stop();
            return null;
        }
        span.SetTag(SpanAttributeNames.RequestId, requestId);
        span.SetTag(SpanAttributeNames.OperationName, operationName);
        span.SetTag(SpanAttributeNames.HttpMethod, context.Request.Method);
        span.SetTag(SpanAttributeNames.HttpRoute, context.Request.Path.Value);
        return span;
    }

    /// <summary>Ends the request's span with what the request came to.</summary>
    public void Finish(Activity span, HttpContext context, RequestLogEntry entry, AuthenticatedKey? key, RouterError? failure)
    {
        if (key is not null)
        {
            span.SetTag(SpanAttributeNames.KeyId, key.KeyId);
            span.SetTag(SpanAttributeNames.KeyPrefix, key.DisplayPrefix);
            span.SetTag(SpanAttributeNames.KeyAlias, key.IsMaster ? "master" : key.Alias);
        }
        span.SetTag(SpanAttributeNames.RequestModel, entry.RequestedModel);
        span.SetTag(SpanAttributeNames.ResponseModel, entry.RoutedModel);
        span.SetTag(SpanAttributeNames.ProviderName, entry.Provider);
        span.SetTag(SpanAttributeNames.Deployment, entry.Deployment);
        span.SetTag(SpanAttributeNames.HttpStatus, entry.Status);
        span.SetTag(SpanAttributeNames.UpstreamStatus, entry.UpstreamStatus);
        span.SetTag(SpanAttributeNames.Attempts, entry.Attempts.Count);
        if (entry.Attempts.Count > 0)
        {
            span.SetTag(SpanAttributeNames.InputTokens, entry.PromptTokens);
            span.SetTag(SpanAttributeNames.OutputTokens, entry.CompletionTokens);
            if (entry.CachedTokens > 0) span.SetTag(SpanAttributeNames.CacheReadInputTokens, entry.CachedTokens);
        }
        span.SetTag(SpanAttributeNames.CostUsd, (double)entry.Cost);
        if (entry.Cache is { Length: > 0 } cache) span.SetTag(SpanAttributeNames.Cache, cache);
        if (entry.CacheHit) span.SetTag(SpanAttributeNames.CacheSavedCostUsd, (double)entry.SavedCost);
        span.SetTag(SpanAttributeNames.OverheadMs, entry.OverheadMs);
        if (entry.TtftMs is { } ttft) span.SetTag(SpanAttributeNames.TtftMs, ttft);
        if (failure is not null)
        {
            span.SetTag(SpanAttributeNames.ErrorOrigin, failure.Body.Origin);
            span.SetTag(SpanAttributeNames.ErrorType, failure.Body.Code ?? failure.Body.Type);
            span.SetStatus(ActivityStatusCode.Error, failure.Body.Message);
        }
        span.Stop();
    }

    /// <summary>The span's name, and the GenAI operation name of the same thing.</summary>
    private static (string Span, string Operation) Names(ProxyOperation operation) => operation.UpstreamPath switch
    {
        "/chat/completions" => ("chat.completions", "chat"),
        "/completions" => ("completions", "text_completion"),
        "/embeddings" => ("embeddings", "embeddings"),
        var path => (path.Trim('/').Replace('/', '.'), path.Trim('/')),
    };
}
