using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// Issue 18, "bounded whatever a key sends": 10,000 distinct model names routed through <c>mock/*</c> against a
/// real router. The metrics keep the series they had after 100 names, and once the per-model breakers the names
/// started have been idle for <c>router.breaker.idle-after</c>, they are gone and the router's live heap is back
/// near what it was after 100 names. The cache and the request log are off: they keep answers and rows by design.
/// </summary>
public sealed class WildcardNamesTests
{
    private const string MasterKey = "sk-e2e-wildcard-names-5c1d9e7b3a";
    private const int Connections = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_thousand_names_add_no_series_and_leave_no_breaker_or_memory_behind()
    {
        await using var mock = await MockOpenAiServer.StartAsync(record: false);
        await using var router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              cache.enabled = false
              request-log.enabled = false
              breaker { idle-after = 2s, failure-rate-window = 1s }
              providers { mock { type = openai-compatible, api-base = "{{mock.ApiBase}}" } }
              models = [ { name = "mock/*", provider = mock } ]
            """);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Connections })
        {
            BaseAddress = new Uri(router.BaseUrl), Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Authorization = new("Bearer", MasterKey);

        // The configured deployments' own cards (the shipped ollama/* among them); each name adds one while its breaker lives.
        var configured = await CircuitsAsync(http);
        await SendAsync(http, from: 0, count: 100);
        await WaitForCircuitsAsync(http, configured);
        var seriesAfter100 = Series(await ScrapeAsync(http));
        var baseline = await LiveHeapAsync(http, router);

        await SendAsync(http, from: 100, count: 10_000);
        var seriesAfter10000 = Series(await ScrapeAsync(http));
        var circuitsRightAfter = await CircuitsAsync(http);
        await WaitForCircuitsAsync(http, configured);
        var after = await LiveHeapAsync(http, router);

        Assert.Equal(seriesAfter100.Count, seriesAfter10000.Count);
        Assert.Equal(seriesAfter100.Keys.Order(), seriesAfter10000.Keys.Order());
        Assert.Equal(10_100, seriesAfter10000["""router_requests_total{model="mock/*",provider="mock",key="master",status="200"}"""]);
        // The names did start a breaker each (those of the last seconds are still alive here; the earlier ones
        // have idled out already): what went away below had been there.
        Assert.True(circuitsRightAfter > 100, $"only {circuitsRightAfter} circuits right after 10,000 names");
        // 10,000 breakers kept alive hold about 40 MB (measured with idle-after = 10m: 6 MB after 100 names, 45 MB
        // after 10,000). What stays is bounded whatever the names: the master key's actor remembers its last 10,000
        // request ids and a minute of rates (about 2.5 MB more here).
        Assert.True(after - baseline < 8_000_000, $"live heap {baseline:N0} bytes after 100 names, {after:N0} after 10,000");
    }

    private static async Task SendAsync(HttpClient http, int from, int count)
    {
        var next = from - 1;
        var last = from + count - 1;
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) <= last)
            {
                using var response = await http.PostAsync("/v1/chat/completions",
                    Json($$"""{"model":"mock/name-{{i}}","messages":[{"role":"user","content":"hi"}]}"""), Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => Task.Run(Worker, Ct)));
    }

    private static async Task<int> CircuitsAsync(HttpClient http)
    {
        var health = JsonNode.Parse(await http.GetStringAsync("/health/deployments", Ct))!;
        return health["deployments"]!.AsArray().Count;
    }

    /// <summary>Until only the deployments' own cards are left: every per-name breaker stopped after idling.</summary>
    private static async Task WaitForCircuitsAsync(HttpClient http, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        int circuits;
        while ((circuits = await CircuitsAsync(http)) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{circuits} circuits still alive, {expected} expected");
            await Task.Delay(500, Ct);
        }
    }

    /// <summary>The router's heap after a full collection this test asked for (seen in its gen-2 count going up).</summary>
    private static async Task<double> LiveHeapAsync(HttpClient http, RouterProcess router)
    {
        const string gen2 = """dotnet_collection_count_total{generation="2"}""";
        var before = Series(await ScrapeAsync(http))[gen2];
        await ProcessGc.CollectAsync(router.ProcessId, Ct);
        var scrape = Series(await ScrapeAsync(http));
        Assert.True(scrape[gen2] > before, "the router ran no full collection when asked");
        return scrape["dotnet_total_memory_bytes"];
    }

    private static async Task<string> ScrapeAsync(HttpClient http) => await http.GetStringAsync("/metrics", Ct);

    /// <summary>Each series of a Prometheus text scrape (name and labels) and its value.</summary>
    private static Dictionary<string, double> Series(string scrape) =>
        scrape.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], CultureInfo.InvariantCulture));
}
