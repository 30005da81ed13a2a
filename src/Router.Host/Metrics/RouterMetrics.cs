using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;
using Prometheus;
using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Host.Auth;
using Router.Host.Providers;
using Router.Host.RequestLog;

namespace Router.Host.Metrics;

/// <summary>
/// The router's Prometheus series, in a registry of their own (not prometheus-net's default one, whose
/// .NET event and meter listeners would add work to every request). Counters and histograms are fed one
/// finished request at a time by <see cref="Record"/>; breaker, cluster and request log gauges are read when scraped.
/// <para>
/// Per request: one dictionary lookup for the request's (model, provider, key) and one per attempt, then
/// lock-free increments on label children made once. Labels name keys by alias or display prefix, never
/// by secret.
/// </para>
/// </summary>
public sealed class RouterMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] DurationBuckets = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
    private static readonly double[] TtftBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    // The router's own share of a request is meant to be tens of microseconds (issue 10's budget is 50 µs).
    private static readonly double[] OverheadBuckets = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];

    // Series that most requests leave at zero (cached tokens, cost of a free model) appear once they count something.
    private static readonly CounterConfiguration FromFirstIncrement = new() { SuppressInitialValue = true };

    private readonly Func<RouteTable> _routes;
    private readonly DiscoveredModels? _discovered;
    private readonly Counter _requests;
    private readonly Counter _tokens;
    private readonly Counter _cost;
    private readonly Histogram _duration;
    private readonly Histogram _ttft;
    private readonly Histogram _overhead;
    private readonly Counter _attempts;
    private readonly Counter.Child _cacheHit;
    private readonly Counter.Child _cacheMiss;
    private readonly Counter.Child _cacheBypass;
    private readonly Counter _cacheSaved;
    private readonly ConcurrentDictionary<(string Model, string Provider, string Key), Series> _series = new();
    private readonly ConcurrentDictionary<(string Provider, string Deployment, int Status), Counter.Child> _attemptSeries = new();

    /// <param name="actorSystem">This node's actor system once it runs (for cluster members); null: a single node.</param>
    /// <param name="routes">The route table in force (a reload may change it).</param>
    /// <param name="discovered">The models providers listed; a name <c>provider/model</c> among them is labelled by its own name.</param>
    /// <param name="requestLog">The request log's writer; null when the log is off.</param>
    /// <param name="cacheRejections">How many Redis cache entries failed their authentication since start.</param>
    public RouterMetrics(Func<RouteTable> routes, DeploymentBoard board, Func<ActorSystem?>? actorSystem = null, DiscoveredModels? discovered = null,
        Func<RequestLogWriter?>? requestLog = null, Func<long>? cacheRejections = null)
    {
        _routes = routes;
        _discovered = discovered;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        // Exemplars would read Activity.Current and allocate on every increment; nobody scrapes them here.
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();

        _requests = factory.CreateCounter("router_requests_total",
            "Requests answered, by requested model, provider of the last attempt, key (alias or display prefix) and HTTP status.",
            ["model", "provider", "key", "status"]);
        _tokens = factory.CreateCounter("router_tokens_total",
            "Tokens used, by type: prompt, completion, and cached (prompt tokens read from the provider's prompt cache, also counted as prompt).",
            ["model", "provider", "key", "type"], FromFirstIncrement);
        _cost = factory.CreateCounter("router_cost_usd_total", "What requests cost, in US dollars.", ["model", "provider", "key"], FromFirstIncrement);
        _duration = factory.CreateHistogram("router_request_duration_seconds", "Time from receiving a request to its last byte.",
            ["model", "provider"], new HistogramConfiguration { Buckets = DurationBuckets });
        _ttft = factory.CreateHistogram("router_time_to_first_token_seconds",
            "Time from receiving a streamed request to its first event reaching the client (streamed requests only).",
            ["model", "provider"], new HistogramConfiguration { Buckets = TtftBuckets, SuppressInitialValue = true });
        _overhead = factory.CreateHistogram("router_overhead_seconds",
            "Time a request spent in the router itself: its duration minus the time spent waiting on providers.",
            new HistogramConfiguration { Buckets = OverheadBuckets });
        _attempts = factory.CreateCounter("router_upstream_attempts_total",
            "Calls to providers (retries and fallbacks included), by deployment and the status each ended with.",
            ["provider", "deployment", "status"]);
        var cache = factory.CreateCounter("router_cache_requests_total",
            "Requests that asked the response cache, by result: hit, miss, or bypass (caching off for the model, no-store).", ["result"]);
        _cacheHit = cache.WithLabels("hit");
        _cacheMiss = cache.WithLabels("miss");
        _cacheBypass = cache.WithLabels("bypass");
        _cacheSaved = factory.CreateCounter("router_cache_saved_cost_usd_total",
            "What the answers served from the cache cost when they were first asked, in US dollars.");

        // The process's memory, CPU and garbage collections, read when scraped (no listener, no per-request cost):
        // whether names sent through a pattern or a full cache leave memory behind is seen here.
        DotNetStats.Register(Registry);
        var breakers = new BreakerGauge(factory, routes, board);
        var cluster = new ClusterGauge(factory, actorSystem ?? (static () => null));
        var log = new RequestLogGauge(factory, requestLog ?? (static () => null));
        // Counted by the store; read when scraped, so a read from Redis pays nothing for it.
        var rejected = factory.CreateCounter("router_cache_rejected_entries_total",
            "Entries read from the Redis cache that failed their authentication (altered, planted, moved, or under another cache secret): treated as misses, never served.");
        Registry.AddBeforeCollectCallback(() =>
        {
            breakers.Update();
            cluster.Update();
            log.Update();
            if (cacheRejections is not null) rejected.IncTo(cacheRejections());
        });
    }

    public CollectorRegistry Registry { get; }

    /// <summary>This node's response cache counts since it started (<c>router cache stats</c>).</summary>
    public (long Hits, long Misses, long Bypasses, decimal SavedCost) CacheCounts =>
        ((long)_cacheHit.Value, (long)_cacheMiss.Value, (long)_cacheBypass.Value, (decimal)_cacheSaved.Value);

    /// <summary>Counts one finished request (called once per request, whether or not the request log is on).</summary>
    public void Record(RequestLogEntry entry)
    {
        var series = _series.GetOrAdd((ModelLabel(entry), entry.Provider ?? "", KeyLabel(entry)), static (labels, self) => self.NewSeries(labels), this);
        series.Requests(entry.Status).Inc();
        if (entry.PromptTokens > 0) series.PromptTokens.Inc(entry.PromptTokens);
        if (entry.CompletionTokens > 0) series.CompletionTokens.Inc(entry.CompletionTokens);
        if (entry.CachedTokens > 0) series.CachedTokens.Inc(entry.CachedTokens);
        if (entry.Cost > 0) series.Cost.Inc((double)entry.Cost);
        series.Duration.Observe(entry.LatencyMs / 1000);
        if (entry.TtftMs is { } ttft) series.Ttft.Observe(ttft / 1000);
        _overhead.Observe(entry.OverheadMs / 1000);

        var attempts = entry.Attempts;
        for (var i = 0; i < attempts.Count; i++)
        {
            var attempt = attempts[i];
            _attemptSeries.GetOrAdd((attempt.Provider ?? "", attempt.Deployment ?? "", attempt.Status),
                static (labels, counter) => counter.WithLabels(labels.Provider, labels.Deployment, StatusText(labels.Status)), _attempts).Inc();
        }

        switch (entry.Cache)
        {
            case "hit":
                _cacheHit.Inc();
                if (entry.SavedCost > 0) _cacheSaved.Inc((double)entry.SavedCost);
                break;
            case "miss":
                _cacheMiss.Inc();
                break;
            case "bypass":
                _cacheBypass.Inc();
                break;
        }
    }

    /// <summary>The alias of a virtual key, else its display prefix; <c>master</c> for the master key; empty before authentication.</summary>
    public static string KeyLabel(RequestLogEntry entry) =>
        entry.KeyId is null ? ""
        : entry.KeyId == KeyAuthenticator.MasterKeyId ? KeyAuthenticator.MasterKeyId
        : entry.KeyAlias ?? entry.KeyPrefix ?? "";

    /// <summary>
    /// A model label from a set the configuration bounds, whatever callers send: a configured name or alias,
    /// a model a provider reported, or else the pattern that routed the name (<c>openrouter/*</c>). A name the
    /// router does not route at all counts under an empty model. Any free text as a label would make one
    /// series per name, without end.
    /// </summary>
    private string ModelLabel(RequestLogEntry entry)
    {
        if (entry.RequestedModel is not { } model || _routes().Resolve(model) is not { } match) return "";
        var routedBy = match.Group.ModelName;
        return !ModelPattern.IsPattern(routedBy) || _discovered?.Contains(model) == true ? model : routedBy;
    }

    private Series NewSeries((string Model, string Provider, string Key) labels)
    {
        var (model, provider, key) = labels;
        return new Series(
            _requests, model, provider, key,
            _tokens.WithLabels(model, provider, key, "prompt"),
            _tokens.WithLabels(model, provider, key, "completion"),
            _tokens.WithLabels(model, provider, key, "cached"),
            _cost.WithLabels(model, provider, key),
            _duration.WithLabels(model, provider),
            _ttft.WithLabels(model, provider));
    }

    private static string StatusText(int status) => status.ToString(CultureInfo.InvariantCulture);

    /// <summary>The label children of one (model, provider, key), made once; statuses are added as they occur.</summary>
    private sealed class Series(
        Counter requests, string model, string provider, string key,
        Counter.Child promptTokens, Counter.Child completionTokens, Counter.Child cachedTokens, Counter.Child cost,
        Histogram.Child duration, Histogram.Child ttft)
    {
        private readonly ConcurrentDictionary<int, Counter.Child> _byStatus = new();

        public Counter.Child PromptTokens => promptTokens;
        public Counter.Child CompletionTokens => completionTokens;
        public Counter.Child CachedTokens => cachedTokens;
        public Counter.Child Cost => cost;
        public Histogram.Child Duration => duration;
        public Histogram.Child Ttft => ttft;

        public Counter.Child Requests(int status) =>
            _byStatus.TryGetValue(status, out var child)
                ? child
                : _byStatus.GetOrAdd(status, requests.WithLabels(model, provider, key, StatusText(status)));
    }
}
