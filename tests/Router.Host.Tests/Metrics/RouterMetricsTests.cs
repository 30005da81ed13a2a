using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Host.Metrics;
using Router.Host.Providers;
using Router.Host.RequestLog;

namespace Router.Host.Tests.Metrics;

public sealed class RouterMetricsTests
{
    private readonly DeploymentBoard _board = new();
    private readonly RouterMetrics _metrics;

    public RouterMetricsTests()
    {
        var routes = RouteTable.Build(
        [
            new ModelEntry("m", "east", "echo-m"),
            new ModelEntry("m", "west", "echo-m"),
            new ModelEntry("other", "west", "echo-other"),
            new ModelEntry("breaker/*", "east", null),
        ], new HashSet<string> { "east", "west" });
        _metrics = new RouterMetrics(() => routes, _board);
    }

    private static RequestLogEntry Entry(
        string? model = "m", string? provider = "east", int status = 200, string? keyId = "master", string? alias = null,
        string? prefix = "sk-master…", int prompt = 0, int completion = 0, int cached = 0, decimal cost = 0, double latencyMs = 100,
        double? ttftMs = null, double overheadMs = 0.03, string? cache = null, decimal saved = 0, params AttemptLogEntry[] attempts) =>
        new()
        {
            Time = DateTimeOffset.UtcNow,
            RequestId = Guid.NewGuid().ToString("N"),
            KeyId = keyId,
            KeyPrefix = prefix,
            KeyAlias = alias,
            RequestedModel = model,
            RoutedModel = model,
            Provider = provider,
            Deployment = provider is null ? null : $"{provider}:{model}",
            Status = status,
            PromptTokens = prompt,
            CompletionTokens = completion,
            CachedTokens = cached,
            Cost = cost,
            CacheHit = cache == "hit",
            Cache = cache,
            SavedCost = saved,
            LatencyMs = latencyMs,
            TtftMs = ttftMs,
            OverheadMs = overheadMs,
            Attempts = attempts.Length > 0 || provider is null
                ? attempts
                : [new AttemptLogEntry(1, provider, $"{provider}:{model}", status, status, latencyMs, null, "final")],
        };

    [Fact]
    public async Task Requests_tokens_and_cost_are_counted_by_model_provider_key_and_status()
    {
        _metrics.Record(Entry(prompt: 10, completion: 3, cost: 0.000016m));
        _metrics.Record(Entry(prompt: 20, completion: 5, cached: 8, cost: 0.00003m));
        _metrics.Record(Entry(status: 500, provider: "west"));
        _metrics.Record(Entry(keyId: "key_0123456789abcdef", alias: "team-a", prefix: "sk-AbCdEfG…", prompt: 4, completion: 1, cost: 0.000006m));
        _metrics.Record(Entry(keyId: "key_fedcba9876543210", alias: null, prefix: "sk-XyZ1234…", prompt: 2, completion: 2));

        var scrape = await Scrape.OfAsync(_metrics);

        Assert.Equal(2, scrape["""router_requests_total{model="m",provider="east",key="master",status="200"}"""]);
        Assert.Equal(1, scrape["""router_requests_total{model="m",provider="west",key="master",status="500"}"""]);
        Assert.Equal(1, scrape["""router_requests_total{model="m",provider="east",key="team-a",status="200"}"""]);
        Assert.Equal(1, scrape["""router_requests_total{model="m",provider="east",key="sk-XyZ1234…",status="200"}"""]);
        Assert.Equal(30, scrape["""router_tokens_total{model="m",provider="east",key="master",type="prompt"}"""]);
        Assert.Equal(8, scrape["""router_tokens_total{model="m",provider="east",key="master",type="completion"}"""]);
        Assert.Equal(8, scrape["""router_tokens_total{model="m",provider="east",key="master",type="cached"}"""]);
        Assert.Equal(0.000046, scrape["""router_cost_usd_total{model="m",provider="east",key="master"}"""], 12);
        Assert.Equal(0.000006, scrape["""router_cost_usd_total{model="m",provider="east",key="team-a"}"""], 12);
        // Nothing counted, nothing shown: no cached tokens for team-a, no cost for the free request or the failed one.
        Assert.False(scrape.Has("""router_tokens_total{model="m",provider="east",key="team-a",type="cached"}"""));
        Assert.False(scrape.Has("""router_cost_usd_total{model="m",provider="east",key="sk-XyZ1234…"}"""));
        Assert.False(scrape.Has("""router_cost_usd_total{model="m",provider="west",key="master"}"""));
        // Keys are named by alias or prefix, never by id (and the secret is not in the entry to begin with).
        Assert.DoesNotContain("key_0123456789abcdef", scrape.Text);
        Assert.DoesNotContain("sk-AbCdEfG", scrape.Text);
    }

    [Fact]
    public async Task A_request_refused_before_routing_counts_with_the_labels_it_has_and_an_unknown_model_is_not_a_label()
    {
        _metrics.Record(Entry(model: null, provider: null, keyId: null, prefix: null, status: 401));
        _metrics.Record(Entry(model: "no-such-model-1", provider: null, status: 404));
        _metrics.Record(Entry(model: "no-such-model-2", provider: null, status: 404));
        _metrics.Record(Entry(model: "breaker/anything", provider: null, status: 429));

        var scrape = await Scrape.OfAsync(_metrics);

        Assert.Equal(1, scrape["""router_requests_total{model="",provider="",key="",status="401"}"""]);
        Assert.Equal(2, scrape["""router_requests_total{model="",provider="",key="master",status="404"}"""]);
        Assert.Equal(1, scrape["""router_requests_total{model="breaker/*",provider="",key="master",status="429"}"""]);
        Assert.DoesNotContain("no-such-model", scrape.Text);
    }

    [Fact]
    public async Task Ten_thousand_names_routed_through_a_pattern_share_the_patterns_series_and_a_discovered_model_keeps_its_name()
    {
        var discovered = new DiscoveredModels();
        discovered.Set("breaker", ["llama3"]);
        var routes = RouteTable.Build([new ModelEntry("m", "east", "echo-m"), new ModelEntry("breaker/*", "east", null)], new HashSet<string> { "east" });
        var metrics = new RouterMetrics(() => routes, _board, discovered: discovered);
        metrics.Record(Entry(model: "m"));
        var before = (await Scrape.OfAsync(metrics)).Text.Split('\n').Length;

        // As the router logs them: the attempt names the deployment (the route entry), not the model.
        var attempt = new AttemptLogEntry(1, "east", "east:breaker/*", 200, 200, 100, null, "final");
        for (var i = 0; i < 10_000; i++) metrics.Record(Entry(model: $"breaker/name-{i}", attempts: attempt));
        metrics.Record(Entry(model: "breaker/llama3", attempts: attempt));

        var scrape = await Scrape.OfAsync(metrics);
        Assert.Equal(10_000, scrape["""router_requests_total{model="breaker/*",provider="east",key="master",status="200"}"""]);
        Assert.Equal(1, scrape["""router_requests_total{model="breaker/llama3",provider="east",key="master",status="200"}"""]);
        Assert.DoesNotContain("name-", scrape.Text);
        // Two label sets (the pattern, the discovered model) whatever the number of names: a few lines each.
        Assert.InRange(scrape.Text.Split('\n').Length - before, 1, 200);
    }

    [Fact]
    public async Task Duration_time_to_first_token_and_overhead_are_histograms_in_seconds()
    {
        _metrics.Record(Entry(latencyMs: 80, overheadMs: 0.02));
        _metrics.Record(Entry(latencyMs: 700, ttftMs: 40, overheadMs: 0.04));
        _metrics.Record(Entry(latencyMs: 3000, ttftMs: 300, overheadMs: 2));

        var scrape = await Scrape.OfAsync(_metrics);

        const string labels = """model="m",provider="east",""";
        Assert.Equal(3, scrape[$$"""router_request_duration_seconds_count{{{labels[..^1]}}}"""]);
        Assert.Equal(3.78, scrape[$$"""router_request_duration_seconds_sum{{{labels[..^1]}}}"""], 9);
        Assert.Equal(1, scrape[$$"""router_request_duration_seconds_bucket{{{labels}}le="0.1"}"""]);
        Assert.Equal(2, scrape[$$"""router_request_duration_seconds_bucket{{{labels}}le="1"}"""]);
        Assert.Equal(3, scrape[$$"""router_request_duration_seconds_bucket{{{labels}}le="5"}"""]);
        // Only streamed requests have a first token.
        Assert.Equal(2, scrape[$$"""router_time_to_first_token_seconds_count{{{labels[..^1]}}}"""]);
        Assert.Equal(1, scrape[$$"""router_time_to_first_token_seconds_bucket{{{labels}}le="0.05"}"""]);
        Assert.Equal(2, scrape[$$"""router_time_to_first_token_seconds_bucket{{{labels}}le="0.5"}"""]);
        // Overhead buckets resolve tens of microseconds.
        Assert.Equal(3, scrape["router_overhead_seconds_count"]);
        Assert.Equal(1, scrape["""router_overhead_seconds_bucket{le="2.5e-05"}"""]);
        Assert.Equal(2, scrape["""router_overhead_seconds_bucket{le="5e-05"}"""]);
        Assert.Equal(3, scrape["""router_overhead_seconds_bucket{le="0.0025"}"""]);
    }

    [Fact]
    public async Task Each_upstream_attempt_counts_by_deployment_and_status()
    {
        _metrics.Record(Entry(provider: "west", attempts:
        [
            new AttemptLogEntry(1, "east", "east:m", 500, 500, 10, "provider", "retry"),
            new AttemptLogEntry(2, "east", "east:m", 500, 500, 10, "provider", "retry"),
            new AttemptLogEntry(3, "west", "west:m", 200, 200, 10, null, "final"),
        ]));
        _metrics.Record(Entry(provider: "west"));

        var scrape = await Scrape.OfAsync(_metrics);

        Assert.Equal(2, scrape["""router_upstream_attempts_total{provider="east",deployment="east:m",status="500"}"""]);
        Assert.Equal(2, scrape["""router_upstream_attempts_total{provider="west",deployment="west:m",status="200"}"""]);
        Assert.Equal(2, scrape["""router_requests_total{model="m",provider="west",key="master",status="200"}"""]);
    }

    [Fact]
    public async Task Cache_results_and_the_cost_hits_saved_are_counted()
    {
        _metrics.Record(Entry(cache: "miss", cost: 0.5m));
        _metrics.Record(Entry(provider: null, cache: "hit", saved: 0.5m));
        _metrics.Record(Entry(provider: null, cache: "hit", saved: 0.25m));
        _metrics.Record(Entry(cache: "bypass"));
        _metrics.Record(Entry(cache: null));

        var scrape = await Scrape.OfAsync(_metrics);

        Assert.Equal(2, scrape["""router_cache_requests_total{result="hit"}"""]);
        Assert.Equal(1, scrape["""router_cache_requests_total{result="miss"}"""]);
        Assert.Equal(1, scrape["""router_cache_requests_total{result="bypass"}"""]);
        Assert.Equal(0.75, scrape["router_cache_saved_cost_usd_total"], 12);
        Assert.Equal(2, scrape["""router_requests_total{model="m",provider="",key="master",status="200"}"""]);
    }

    [Fact]
    public async Task Breaker_state_is_read_from_the_board_when_scraped()
    {
        var first = await Scrape.OfAsync(_metrics);
        Assert.Equal(0, first["""router_breaker_state{provider="east",deployment="east:m"}"""]);
        Assert.Equal(0, first["""router_breaker_state{provider="west",deployment="west:other"}"""]);
        Assert.Equal(0, first["""router_breaker_state{provider="east",deployment="east:breaker/*"}"""]);

        _board.Publish(new ProviderBreaker.State("east:m", CircuitState.Open, 5, 0, OpenUntil: DateTimeOffset.UtcNow.AddMinutes(1)));
        _board.Publish(new ProviderBreaker.State("west:m", CircuitState.HalfOpen, 5, 0));
        _board.Publish(new ProviderBreaker.State("east:breaker/*>flaky", CircuitState.Open, 3, 0, OpenUntil: DateTimeOffset.UtcNow.AddMinutes(1)));
        var second = await Scrape.OfAsync(_metrics);

        Assert.Equal(2, second["""router_breaker_state{provider="east",deployment="east:m"}"""]);
        Assert.Equal(1, second["""router_breaker_state{provider="west",deployment="west:m"}"""]);
        Assert.Equal(0, second["""router_breaker_state{provider="west",deployment="west:other"}"""]);
        Assert.Equal(2, second["""router_breaker_state{provider="east",deployment="east:breaker/*>flaky"}"""]);

        _board.Publish(new ProviderBreaker.State("east:m", CircuitState.Closed, 0, 0));
        Assert.Equal(0, (await Scrape.OfAsync(_metrics))["""router_breaker_state{provider="east",deployment="east:m"}"""]);
    }

    [Fact]
    public async Task Circuits_behind_a_pattern_are_series_only_while_not_closed_so_ten_thousand_models_add_none()
    {
        for (var i = 0; i < 10_000; i++) _board.Publish(new ProviderBreaker.State($"east:breaker/*>model-{i}", CircuitState.Closed, 0, 0));
        _board.Publish(new ProviderBreaker.State("east:breaker/*>flaky", CircuitState.Open, 3, 0, OpenUntil: DateTimeOffset.UtcNow.AddMinutes(1)));

        var scrape = await Scrape.OfAsync(_metrics);
        Assert.DoesNotContain("model-", scrape.Text);
        Assert.Equal(2, scrape["""router_breaker_state{provider="east",deployment="east:breaker/*>flaky"}"""]);

        // Closed again (or its breaker stopped): it leaves the scrape.
        _board.Publish(new ProviderBreaker.State("east:breaker/*>flaky", CircuitState.Closed, 0, 0));
        Assert.False((await Scrape.OfAsync(_metrics)).Has("""router_breaker_state{provider="east",deployment="east:breaker/*>flaky"}"""));
    }

    [Fact]
    public async Task A_node_without_a_cluster_reports_itself_as_the_one_member_up()
    {
        var scrape = await Scrape.OfAsync(_metrics);

        Assert.Equal(1, scrape["""router_cluster_members{status="up"}"""]);
        Assert.Equal(0, scrape["""router_cluster_members{status="joining"}"""]);
        Assert.Equal(0, scrape["""router_cluster_members{status="down"}"""]);
        Assert.Equal(0, scrape["router_cluster_unreachable_members"]);
    }

    [Fact]
    public async Task The_scrape_declares_every_series_family_with_its_type()
    {
        var text = (await Scrape.OfAsync(_metrics)).Text;

        foreach (var (name, type) in new[]
                 {
                     ("router_requests_total", "counter"), ("router_tokens_total", "counter"), ("router_cost_usd_total", "counter"),
                     ("router_request_duration_seconds", "histogram"), ("router_time_to_first_token_seconds", "histogram"),
                     ("router_overhead_seconds", "histogram"), ("router_upstream_attempts_total", "counter"),
                     ("router_cache_requests_total", "counter"), ("router_cache_saved_cost_usd_total", "counter"),
                     ("router_breaker_state", "gauge"), ("router_cluster_members", "gauge"), ("router_cluster_unreachable_members", "gauge"),
                 })
            Assert.Contains($"# TYPE {name} {type}\n", text);
    }
}
