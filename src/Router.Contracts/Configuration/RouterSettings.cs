namespace Router.Contracts.Configuration;

/// <summary>The router's effective configuration, read from HOCON once at start.</summary>
public sealed record RouterSettings(
    string HttpUrls,
    string? MasterKey,
    string DataDir,
    long MaxRequestBodyBytes,
    TimeSpan AdmissionTimeout,
    BreakerSettings Breaker,
    IReadOnlyList<ProviderSettings> Providers,
    IReadOnlyList<ModelEntry> Models)
{
    /// <summary><c>router.http.tls</c>: the certificate the router serves HTTPS with; null: plain HTTP.</summary>
    public HttpTlsSettings? HttpTls { get; init; }

    /// <summary>The policy of models whose entries leave a field unset (<c>router.routing</c>).</summary>
    public RoutingPolicy DefaultPolicy { get; init; } = RoutingPolicy.Standard;

    public RetrySettings Retry { get; init; } = RetrySettings.Standard;

    public CacheSettings Cache { get; init; } = CacheSettings.Standard;
    public RequestLogSettings RequestLog { get; init; } = RequestLogSettings.Standard;
    public MetricsSettings Metrics { get; init; } = MetricsSettings.Standard;
    public ClusterSettings Cluster { get; init; } = ClusterSettings.Off;
    public TracingSettings Tracing { get; init; } = TracingSettings.Off;
    public StorageSettings Storage { get; init; } = StorageSettings.Standard;
    public SettlementSettings Settlement { get; init; } = SettlementSettings.Standard;
    public AlertsSettings Alerts { get; init; } = AlertsSettings.Standard;

    /// <summary><c>router.responses.retention</c>: how long a stored (bridged) Responses answer can be read and continued.</summary>
    public TimeSpan ResponsesRetention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>
    /// What the configuration says to no effect (each key the router does not read, with the known key nearest to
    /// it): logged at start and on every reload, and reported by <c>router config check</c>.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// On a graceful stop, how long answers under way may still run (after the pair's drain delay) before they
    /// are cut, so that what they used is settled and written before the process ends (<c>router.stop-grace</c>).
    /// </summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often each provider behind a wildcard route is asked for its model list (<c>router.model-lists.refresh-interval</c>);
    /// a discovering provider's <c>discover-interval</c> wins for it.
    /// </summary>
    public TimeSpan ModelListRefresh { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The completion tokens a request without <c>max_tokens</c> is assumed to use when its cost is reserved, for a
    /// model the price table gives no output limit.
    /// </summary>
    public int EstimateCompletionTokens { get; init; } = 1024;

    /// <summary>
    /// The smallest completion limit the router lowers a request's <c>max_tokens</c> to when the key's budget cannot
    /// cover the request (<c>router.budgets.min-completion-tokens</c>); a budget that covers less refuses it.
    /// </summary>
    public int BudgetMinCompletionTokens { get; init; } = 16;

    /// <summary>What a request to a model without a price does (<c>router.pricing.unpriced</c>).</summary>
    public UnpricedModels Unpriced { get; init; } = UnpricedModels.Refuse;

    /// <summary>
    /// Prices that override the shipped table (<c>router.prices</c>), by model name as requested by clients
    /// or as sent upstream.
    /// </summary>
    public IReadOnlyDictionary<string, ModelPrice> Prices { get; init; } = new Dictionary<string, ModelPrice>();
}

/// <summary>
/// What one model costs, in USD per token. <paramref name="CacheReadPerToken"/> prices prompt tokens read
/// from a prompt cache, <paramref name="CacheWritePerToken"/> those written to one (Anthropic's cost more
/// than plain input); null: they cost <paramref name="InputPerToken"/>.
/// </summary>
public sealed record ModelPrice(decimal InputPerToken, decimal OutputPerToken, decimal? CacheReadPerToken = null, decimal? CacheWritePerToken = null)
{
    public static readonly ModelPrice Free = new(0, 0);

    /// <summary>The most a prompt token can cost: before a request is sent, nobody knows which of its tokens the provider will cache.</summary>
    public decimal HighestInputPerToken =>
        Math.Max(InputPerToken, Math.Max(CacheReadPerToken ?? 0, CacheWritePerToken ?? 0));
}

/// <summary>What a request to a model without a price does (<c>router.pricing.unpriced</c>).</summary>
public enum UnpricedModels
{
    /// <summary>A key with a budget is refused it (400 <c>model_not_priced</c>); keys without one are served.</summary>
    Refuse,
    /// <summary>Every key is served, and the request costs nothing unless the provider reports a cost.</summary>
    Free,
}

public enum ProviderType
{
    /// <summary>api.openai.com: a key is always required.</summary>
    OpenAi,
    /// <summary>Any server speaking the OpenAI wire format (Ollama, vLLM, OpenRouter, xAI, NIM, MiniMax).</summary>
    OpenAiCompatible,
    /// <summary>Anthropic's Messages API, reached by translation: a key is always required.</summary>
    Anthropic,
    /// <summary>Google's Gemini API (generateContent), reached by translation: a key is always required.</summary>
    Gemini,
}

public sealed record ProviderSettings(
    string Name,
    ProviderType Type,
    Uri ApiBase,
    string? ApiKey,
    bool KeyRequired,
    IReadOnlyDictionary<string, string> Headers,
    ProviderTimeouts Timeouts,
    DiscoverySettings? Discovery = null,
    int DefaultMaxTokens = ProviderSettings.StandardMaxTokens)
{
    /// <summary>
    /// The completion limit sent when the client sets none, to providers that require one (Anthropic).
    /// </summary>
    public const int StandardMaxTokens = 4096;

    /// <summary>
    /// Whether its calls cost nothing per token, as the operator says (<c>local</c>); null: judged by its address
    /// (a gateway to a paid API on loopback or the LAN must say false, or its models would look free).
    /// </summary>
    public bool? Local { get; init; }

    /// <summary>
    /// A translated chat request's fields that have no counterpart in this provider's API are dropped (and named in
    /// <c>x-router-dropped-params</c>) instead of refused with a 400, as LiteLLM's <c>drop_params</c> does.
    /// </summary>
    public bool DropParams { get; init; }

    /// <summary>
    /// <c>responses = native</c>: an OpenAI-compatible server that speaks OpenAI's Responses API itself gets
    /// <c>/v1/responses</c> requests as written, rather than bridged through its chat API.
    /// </summary>
    public bool NativeResponses { get; init; }

    /// <summary>The file <see cref="ApiKey"/> was read from (<c>api-key-file</c>); null when it was given as <c>api-key</c>.</summary>
    public string? ApiKeyFile { get; init; }

    /// <summary>A provider that needs a key and has none is left out of the route table.</summary>
    public bool IsUsable => !KeyRequired || !string.IsNullOrEmpty(ApiKey);

    // Records print every property; the key must never reach a log line.
    public override string ToString() => $"{Name} ({Type}, {ApiBase})";
}

/// <summary>
/// Asks an Ollama server which models it has (<c>GET /api/tags</c>) every <paramref name="Interval"/>,
/// so they are listed and routed as <c>provider/name</c> without a route entry each (an implicit <c>provider/*</c> route).
/// </summary>
public sealed record DiscoverySettings(TimeSpan Interval);

public sealed record ProviderTimeouts(TimeSpan Connect, TimeSpan FirstByte, TimeSpan StreamIdle, TimeSpan Total);

/// <summary>
/// One <c>router.models</c> entry: a name (exact, or a pattern ending in <c>*</c>) served by a provider.
/// Several entries with one name are several deployments of that model, sharing its load.
/// </summary>
public sealed record ModelEntry(string Name, string Provider, string? Model)
{
    /// <summary>This deployment's share of the model's requests under weighted round-robin.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>This deployment's timeouts; null: its provider's.</summary>
    public ProviderTimeouts? Timeouts { get; init; }

    /// <summary>The largest prompt the deployment takes, in tokens; null: the price table's figure for its upstream model.</summary>
    public int? MaxInputTokens { get; init; }

    /// <summary>The model's routing policy; across several entries of one name, the first entry that sets a field wins.</summary>
    public RoutingPolicy Policy { get; init; } = RoutingPolicy.Unset;
}

/// <summary>How a request picks among a model's deployments.</summary>
public enum BalancingStrategy
{
    /// <summary>In proportion to each deployment's <c>weight</c>, spread evenly (smooth weighted round-robin).</summary>
    WeightedRoundRobin,
    /// <summary>The deployment with the fewest calls in flight on this node.</summary>
    LeastInFlight,
    /// <summary>The deployment with the lowest recent latency (its breaker's moving average); untried ones first.</summary>
    LowestLatency,
}

/// <summary>
/// What the router does for a model beyond the first attempt. Null fields are unset and taken from
/// the next policy in line (<see cref="Or"/>): the model's entries, then <c>router.routing</c>, then
/// <see cref="Standard"/>.
/// </summary>
/// <param name="Retries">Further attempts on the model's deployments after a retryable failure.</param>
/// <param name="Fallbacks">Models to try, in order, when every attempt on this one failed.</param>
/// <param name="ContextWindowFallbacks">Models to go to at once when the prompt is too long for this one.</param>
/// <param name="ContentPolicyFallbacks">Models to go to when this one refuses the content.</param>
public sealed record RoutingPolicy(
    BalancingStrategy? Strategy = null,
    int? Retries = null,
    IReadOnlyList<string>? Fallbacks = null,
    IReadOnlyList<string>? ContextWindowFallbacks = null,
    IReadOnlyList<string>? ContentPolicyFallbacks = null)
{
    public static readonly RoutingPolicy Unset = new();

    public static readonly RoutingPolicy Standard = new(BalancingStrategy.WeightedRoundRobin, 2, [], [], []);

    public RoutingPolicy Or(RoutingPolicy next) => new(
        Strategy ?? next.Strategy,
        Retries ?? next.Retries,
        Fallbacks ?? next.Fallbacks,
        ContextWindowFallbacks ?? next.ContextWindowFallbacks,
        ContentPolicyFallbacks ?? next.ContentPolicyFallbacks);
}

/// <summary>
/// Pacing of retries (<c>router.retry</c>): exponential backoff from <paramref name="BaseDelay"/> up to
/// <paramref name="MaxDelay"/> with jitter; a provider's <c>Retry-After</c> up to
/// <paramref name="MaxRetryAfter"/> is waited out, a longer one sends the request elsewhere. The retry
/// budget lets retries add at most <paramref name="BudgetRatio"/> of a model's requests, plus
/// <paramref name="BudgetMinPerSecond"/>, so a failing provider does not get a storm of them.
/// </summary>
public sealed record RetrySettings(
    TimeSpan BaseDelay, TimeSpan MaxDelay, TimeSpan MaxRetryAfter, double BudgetRatio, double BudgetMinPerSecond)
{
    public static readonly RetrySettings Standard =
        new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), 0.2, 5);
}

/// <summary>
/// When a deployment's circuit opens: after <paramref name="ConsecutiveFailuresToOpen"/> provider
/// failures in a row, or when at least <paramref name="MinimumCallsInWindow"/> calls in the last
/// <paramref name="FailureRateWindow"/> failed at a rate of <paramref name="FailureRateToOpen"/> or more.
/// It stays open for <paramref name="Cooldown"/>, then lets one probe through.
/// </summary>
public sealed record BreakerSettings(
    int ConsecutiveFailuresToOpen,
    TimeSpan Cooldown,
    double FailureRateToOpen = 0.5,
    TimeSpan FailureRateWindow = default,
    int MinimumCallsInWindow = 20)
{
    public TimeSpan FailureRateWindow { get; init; } = FailureRateWindow == default ? TimeSpan.FromSeconds(60) : FailureRateWindow;

    /// <summary>
    /// How long a circuit's breaker with nothing to remember (closed, no call in its window) lives without a
    /// message. Callers name the models behind a pattern, so this bounds how many breakers their names keep alive.
    /// </summary>
    public TimeSpan IdleAfter { get; init; } = DefaultIdleAfter;

    /// <summary>Long enough that a model in steady use keeps its breaker (and its latency average).</summary>
    public static readonly TimeSpan DefaultIdleAfter = TimeSpan.FromMinutes(10);
}

/// <summary>
/// The response cache (<c>router.cache</c>): in memory up to <paramref name="MaxBytes"/> by default, in
/// Redis at <paramref name="Redis"/> (a StackExchange.Redis configuration: <c>host:port[,password=…,ssl=true,…]</c>)
/// when set, so a pair of nodes shares it.
/// </summary>
/// <param name="Models">Per model name as requested, or pattern ending in <c>*</c>: caching on or off and its own TTL.</param>
/// <param name="MaxTtl">The longest a caller's <c>x-router-cache-ttl</c> may keep an answer.</param>
public sealed record CacheSettings(
    bool Enabled, string? Redis, TimeSpan Ttl, long MaxBytes, IReadOnlyDictionary<string, ModelCacheSettings> Models, TimeSpan MaxTtl)
{
    public static readonly CacheSettings Standard =
        new(true, null, TimeSpan.FromHours(1), 64L * 1024 * 1024, new Dictionary<string, ModelCacheSettings>(), TimeSpan.FromDays(1));

    /// <summary>
    /// Namespaces whose entries every key naming them shares (<c>router.cache.shared-namespaces</c>); any other
    /// namespace is each key's own. None by default.
    /// </summary>
    public IReadOnlySet<string> SharedNamespaces { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The Redis password read from <c>router.cache.redis-password-file</c> (<see cref="RedisPasswordFile"/>), used
    /// instead of a <c>password=</c> in <see cref="Redis"/>. Never shown or logged.
    /// </summary>
    public string? RedisPassword { get; init; }

    /// <summary><c>router.cache.redis-password-file</c>: where <see cref="RedisPassword"/> was read from.</summary>
    public string? RedisPasswordFile { get; init; }

    /// <summary>
    /// <c>router.cache.redis-ca</c>: a PEM certificate of the authority that signed Redis's TLS certificate; when
    /// set, Redis's certificate must chain to it (and name the host), whatever the system trusts.
    /// </summary>
    public string? RedisCa { get; init; }

    /// <summary>
    /// <c>router.cache.secret</c> (or the content of <c>router.cache.secret-file</c>): the key the Redis entries are
    /// authenticated under, the same on both nodes of a pair. Null: a single node makes one in its data directory.
    /// Never shown or logged.
    /// </summary>
    public string? Secret { get; init; }

    public bool EnabledFor(string model) => Enabled && (SettingsOf(model)?.Enabled ?? true);

    public TimeSpan TtlFor(string model) => SettingsOf(model)?.Ttl ?? Ttl;

    /// <summary>
    /// A model's own settings: by its exact name, else by the longest pattern (<c>ollama/*</c>) that matches it (the first
    /// of equal length). Asked twice a request: a loop, where a LINQ query allocated 270 bytes a call though no model had
    /// settings (bench/README, issue 24).
    /// </summary>
    private ModelCacheSettings? SettingsOf(string model)
    {
        if (Models.Count == 0) return null;
        if (Models.TryGetValue(model, out var exact)) return exact;
        ModelCacheSettings? longest = null;
        var longestPattern = 0;
        foreach (var (name, settings) in Models)
        {
            if (name.Length > longestPattern && name.EndsWith('*') && model.AsSpan().StartsWith(name.AsSpan(0, name.Length - 1), StringComparison.Ordinal))
                (longest, longestPattern) = (settings, name.Length);
        }
        return longest;
    }
}

public sealed record ModelCacheSettings(bool? Enabled, TimeSpan? Ttl);

/// <summary><c>router.request-log</c>: how long rows are kept, and how often waiting rows are written.</summary>
public sealed record RequestLogSettings(TimeSpan Retention, TimeSpan BatchInterval)
{
    public static readonly RequestLogSettings Standard = new(TimeSpan.FromDays(30), TimeSpan.FromSeconds(1));

    /// <summary>Off: no row is written (the spend API then finds none); on by default.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>router.request-log.rollups</c>: how long the per-minute and per-hour totals are kept.</summary>
    public RollupSettings Rollups { get; init; } = RollupSettings.Standard;
}

/// <summary>
/// <c>router.request-log.rollups</c>: per-minute totals are kept <paramref name="MinuteRetention"/>, per-hour totals
/// <paramref name="HourRetention"/> (zero: for ever); per-day totals are kept for ever.
/// </summary>
public sealed record RollupSettings(TimeSpan MinuteRetention, TimeSpan HourRetention)
{
    public static readonly RollupSettings Standard = new(TimeSpan.FromDays(7), TimeSpan.Zero);
}

/// <summary>
/// <c>GET /metrics</c> (<c>router.metrics</c>): served when <paramref name="Enabled"/>; with
/// <paramref name="RequireKey"/> only to the master key. Open by default: its labels name key aliases and
/// display prefixes, never a secret, and a Prometheus scraper usually sends no bearer key.
/// </summary>
public sealed record MetricsSettings(bool Enabled, bool RequireKey)
{
    public static readonly MetricsSettings Standard = new(Enabled: true, RequireKey: false);
}
