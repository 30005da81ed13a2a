using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// A router with the request log off (metrics must not depend on it), the cache on, and a breaker that
/// opens after two failures and stays open, in front of one mock provider with prices.
/// </summary>
public sealed class MetricsFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-e2e-metrics-master-8d4b2f6a1c";

    public MockOpenAiServer Mock { get; private set; } = null!;
    public RouterProcess Router { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Mock = await MockOpenAiServer.StartAsync();
        Router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              request-log.enabled = false
              breaker { consecutive-failures-to-open = 2, cooldown = 10m, minimum-calls-in-window = 1000 }
              providers { mock { type = openai-compatible, api-base = "{{Mock.ApiBase}}" } }
              models = [
                { name = "m", provider = mock, model = "echo-m" }
                { name = "bad", provider = mock, model = "fail-400" }
                { name = "broken", provider = mock, model = "fail-500", retries = 0 }
              ]
              prices { "m" { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 } }
            """);
    }

    public OpenAIClient Sdk(string key) => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(Router.BaseUrl + "/v1"),
        // The SDK retries 5xx on its own; every request here must reach the router exactly once.
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Mock.DisposeAsync();
    }
}

public sealed class MetricsTests(MetricsFixture fixture) : IClassFixture<MetricsFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_count_real_traffic_by_model_provider_key_and_status_and_show_the_tripped_breaker()
    {
        using var admin = fixture.Router.CreateClient(MetricsFixture.MasterKey);
        using var generated = await admin.PostAsJsonAsync("/key/generate", new { models = new[] { "m" }, key_alias = "metrics-team" }, Ct);
        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        var teamKey = JsonNode.Parse(await generated.Content.ReadAsStringAsync(Ct))!["key"]!.GetValue<string>();
        var master = fixture.Sdk(MetricsFixture.MasterKey).GetChatClient("m");
        var team = fixture.Sdk(teamKey).GetChatClient("m");

        ChatCompletion first = await master.CompleteChatAsync([new UserChatMessage("alpha beta")], cancellationToken: Ct);
        ChatCompletion again = await master.CompleteChatAsync([new UserChatMessage("alpha beta")], cancellationToken: Ct); // a cache hit
        var masterStream = await StreamAsync(master, "one two three");
        ChatCompletion teamOne = await team.CompleteChatAsync([new UserChatMessage("gamma")], cancellationToken: Ct);
        var teamStream = await StreamAsync(team, "delta epsilon zeta");
        Assert.Equal(400, await StatusOfAsync("bad"));
        Assert.Equal(500, await StatusOfAsync("broken"));
        Assert.Equal(500, await StatusOfAsync("broken"));
        Assert.Equal(503, await StatusOfAsync("broken")); // the circuit is open now: refused without a call
        Assert.Equal(first.Content[0].Text, again.Content[0].Text);

        var scrape = await ScrapeAsync(requests: 9);

        Assert.Equal(2, scrape["""router_requests_total{model="m",provider="mock",key="master",status="200"}"""]);
        Assert.Equal(1, scrape["""router_requests_total{model="m",provider="",key="master",status="200"}"""]);
        Assert.Equal(2, scrape["""router_requests_total{model="m",provider="mock",key="metrics-team",status="200"}"""]);
        Assert.Equal(1, scrape["""router_requests_total{model="bad",provider="mock",key="master",status="400"}"""]);
        Assert.Equal(2, scrape["""router_requests_total{model="broken",provider="mock",key="master",status="500"}"""]);
        Assert.Equal(1, scrape["""router_requests_total{model="broken",provider="",key="master",status="503"}"""]);
        Assert.Equal(9, scrape.Values.Where(s => s.Key.StartsWith("router_requests_total{", StringComparison.Ordinal)).Sum(s => s.Value));

        Assert.Equal(first.Usage.InputTokenCount + masterStream.InputTokenCount,
            scrape["""router_tokens_total{model="m",provider="mock",key="master",type="prompt"}"""]);
        Assert.Equal(first.Usage.OutputTokenCount + masterStream.OutputTokenCount,
            scrape["""router_tokens_total{model="m",provider="mock",key="master",type="completion"}"""]);
        Assert.Equal(teamOne.Usage.InputTokenCount + teamStream.InputTokenCount,
            scrape["""router_tokens_total{model="m",provider="mock",key="metrics-team",type="prompt"}"""]);
        Assert.Equal((double)(Cost(teamOne.Usage) + Cost(teamStream)),
            scrape["""router_cost_usd_total{model="m",provider="mock",key="metrics-team"}"""], 12);
        Assert.Equal((double)(Cost(first.Usage) + Cost(masterStream)),
            scrape["""router_cost_usd_total{model="m",provider="mock",key="master"}"""], 12);

        // Latency for every request with an answer from the provider, a first token for the two streamed ones only.
        Assert.Equal(4, scrape["""router_request_duration_seconds_count{model="m",provider="mock"}"""]);
        Assert.Equal(2, scrape.Values.Where(s => s.Key.StartsWith("router_time_to_first_token_seconds_count{", StringComparison.Ordinal)).Sum(s => s.Value));
        Assert.Equal(2, scrape["""router_time_to_first_token_seconds_count{model="m",provider="mock"}"""]);
        Assert.Equal(9, scrape["router_overhead_seconds_count"]);

        Assert.Equal(4, scrape["""router_upstream_attempts_total{provider="mock",deployment="mock:m",status="200"}"""]);
        Assert.Equal(1, scrape["""router_upstream_attempts_total{provider="mock",deployment="mock:bad",status="400"}"""]);
        Assert.Equal(2, scrape["""router_upstream_attempts_total{provider="mock",deployment="mock:broken",status="500"}"""]);

        Assert.Equal(1, scrape["""router_cache_requests_total{result="hit"}"""]);
        Assert.Equal(8, scrape["""router_cache_requests_total{result="miss"}"""]);
        Assert.Equal((double)Cost(first.Usage), scrape["router_cache_saved_cost_usd_total"], 12);

        Assert.Equal(2, scrape["""router_breaker_state{provider="mock",deployment="mock:broken"}"""]);
        Assert.Equal(0, scrape["""router_breaker_state{provider="mock",deployment="mock:m"}"""]);
        Assert.Equal(1, scrape["""router_cluster_members{status="up"}"""]);

        // Keys are named by alias or as "master": no secret, not even the virtual key's display prefix.
        Assert.DoesNotContain(MetricsFixture.MasterKey[..10], scrape.Text);
        Assert.DoesNotContain(teamKey[..10], scrape.Text);
    }

    [Fact]
    public async Task With_require_key_only_the_master_key_may_scrape()
    {
        await using var router = await RouterProcess.StartAsync($"""
              master-key = "{MetricsFixture.MasterKey}"
              metrics.require-key = true
            """);
        using var anonymous = router.CreateClient(bearer: null);
        using var master = router.CreateClient(MetricsFixture.MasterKey);

        using var refused = await anonymous.GetAsync("/metrics", Ct);
        using var served = await master.GetAsync("/metrics", Ct);

        await ErrorOf(refused, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("# TYPE router_requests_total counter", await served.Content.ReadAsStringAsync(Ct));
    }

    private static decimal Cost(ChatTokenUsage usage) => usage.InputTokenCount * 0.000001m + usage.OutputTokenCount * 0.000002m;

    private static async Task<ChatTokenUsage> StreamAsync(ChatClient chat, string text)
    {
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(text)], cancellationToken: Ct))
            usage ??= update.Usage;
        return usage ?? throw new InvalidOperationException("the stream carried no usage");
    }

    private async Task<int> StatusOfAsync(string model)
    {
        try
        {
            await fixture.Sdk(MetricsFixture.MasterKey).GetChatClient(model).CompleteChatAsync([new UserChatMessage("hello")], cancellationToken: Ct);
            return 200;
        }
        catch (ClientResultException e)
        {
            return e.Status;
        }
    }

    /// <summary>Scrapes without a key until the router counted <paramref name="requests"/> (each is counted as it finishes).</summary>
    private async Task<Samples> ScrapeAsync(int requests)
    {
        using var http = fixture.Router.CreateClient(bearer: null);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var response = await http.GetAsync("/metrics", Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            var samples = Samples.Parse(text);
            if (samples.Values.GetValueOrDefault("router_overhead_seconds_count") >= requests || DateTime.UtcNow > deadline) return samples;
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>The samples of a Prometheus text scrape, by exact series name and labels.</summary>
    private sealed record Samples(string Text, Dictionary<string, double> Values)
    {
        public double this[string series] =>
            Values.TryGetValue(series, out var value) ? value : throw new KeyNotFoundException($"no series {series} in:\n{Text}");

        public static Samples Parse(string text)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#') continue;
                var space = line.LastIndexOf(' ');
                values[line[..space]] = double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            return new Samples(text, values);
        }
    }
}
