namespace Router.Host.Tracing;

/// <summary>
/// Attribute names of the router's spans: OpenTelemetry's GenAI and HTTP semantic conventions where they
/// have a name for the thing, <c>router.*</c> for the rest. Never a key's secret: its id, alias and
/// display prefix only.
/// </summary>
public static class SpanAttributeNames
{
    public const string OperationName = "gen_ai.operation.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string ProviderName = "gen_ai.provider.name";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string CacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";

    public const string HttpMethod = "http.request.method";
    public const string HttpRoute = "http.route";
    public const string HttpStatus = "http.response.status_code";
    public const string ErrorType = "error.type";

    public const string RequestId = "router.request.id";
    public const string KeyId = "router.key.id";
    public const string KeyAlias = "router.key.alias";
    public const string KeyPrefix = "router.key.prefix";
    public const string Deployment = "router.deployment";
    public const string UpstreamStatus = "router.upstream.status_code";
    public const string ErrorOrigin = "router.error.origin";
    public const string CostUsd = "router.cost_usd";
    /// <summary><c>hit</c>, <c>miss</c> or <c>bypass</c>; absent when the request was not cacheable.</summary>
    public const string Cache = "router.cache";
    public const string CacheSavedCostUsd = "router.cache.saved_cost_usd";
    public const string Attempts = "router.attempts";
    public const string OverheadMs = "router.overhead_ms";
    public const string TtftMs = "router.ttft_ms";

    public const string AttemptNumber = "router.attempt.number";
    /// <summary>What the router made of the attempt: the status it would answer with.</summary>
    public const string AttemptStatus = "router.attempt.status_code";
    public const string AttemptLatencyMs = "router.attempt.latency_ms";
    /// <summary>What the router did next: <c>final</c>, <c>retry</c>, <c>caller_error</c>, <c>*_fallback</c>.</summary>
    public const string AttemptVerdict = "router.attempt.verdict";
}
