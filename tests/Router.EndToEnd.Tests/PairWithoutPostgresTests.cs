using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Router.EndToEnd.Tests.Fixtures;

namespace Router.EndToEnd.Tests;

/// <summary>
/// PostgreSQL lost under load (issue 17, point 1): both nodes take continuous traffic over eight keys while the
/// pair's PostgreSQL is killed (SIGQUIT, as a crash) and started again later. Meanwhile no request of any key
/// fails on either node: keys are found in each node's mirror of the key directory, and each key's actor goes on
/// from what it holds and its replica. Once PostgreSQL is back, each key's journal in it holds every cost
/// settled meanwhile exactly once: the sum of its usage events is the key's spend, which is the sum of the costs
/// of the answers the clients received.
/// </summary>
[Collection(PairUnderLoad.Collection)]
public sealed class PairWithoutPostgresTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-no-postgres-master-7b3e9d1a5c";
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PairUnderLoad _pair = null!;

    public async ValueTask InitializeAsync() => _pair = await PairUnderLoad.StartAsync(MasterKey, "cache.enabled = false");

    public ValueTask DisposeAsync() => _pair.DisposeAsync();

    [Fact]
    public async Task PostgreSQL_down_under_load_fails_no_request_and_gets_every_cost_exactly_once_when_back()
    {
        var keys = new List<string>();
        for (var i = 0; i < 8; i++) keys.Add(await _pair.GenerateKeyAsync(100m));
        foreach (var key in keys) _pair.Spent[key] = 0;
        _pair.StartLoad(0, keys);
        _pair.StartLoad(1, keys);
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);

        await _pair.Postgres.StopAsync();
        var downAt = DateTime.UtcNow;
        await Task.Delay(Outage / 2, Ct);
        // Both nodes say they are degraded, not failing; only a key change needs the database, and is refused clearly.
        foreach (var node in new[] { 0, 1 })
        {
            using var http = _pair.Node(node).CreateClient(null);
            using var readiness = await http.GetAsync("/health/readiness", Ct);
            Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
            Assert.Equal("degraded", JsonDocument.Parse(await readiness.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("status").GetString());
        }
        using (var admin = _pair.Node(1).CreateClient(MasterKey))
        {
            using var refused = await admin.PostAsync("/key/generate", ErrorTests.Json("""{"models":["paid"]}"""), Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("storage_unavailable", await refused.Content.ReadAsStringAsync(Ct));
        }
        await Task.Delay(Outage / 2, Ct);
        var servedWhileDown = _pair.Outcomes.Count(o => o.At > downAt && o.Status == HttpStatusCode.OK);
        var clock = Stopwatch.StartNew();
        await _pair.Postgres.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        await _pair.StopLoadAsync(0);
        await _pair.StopLoadAsync(1);

        var failures = _pair.Outcomes.Where(o => o.Status != HttpStatusCode.OK).ToList();
        output.WriteLine($"{_pair.Outcomes.Count} requests, {servedWhileDown} answered while PostgreSQL was down for {Outage.TotalSeconds:0} s; " +
            $"failed: {failures.Count} ({PairUnderLoad.Tally(failures)})");
        Assert.Empty(failures);
        Assert.True(servedWhileDown > 100, $"only {servedWhileDown} requests were answered while PostgreSQL was down");

        // Every answer's cost is in its key's spend, once.
        Assert.Equal(0m, await _pair.CheckSpendAsync(_pair.Node(0), keys, [.. _pair.Outcomes]));

        // And in its key's journal in PostgreSQL, once: the keys' journals were given what they missed when it came back;
        // and every request is in the request log once, through the nodes' outboxes.
        var keyIds = await _pair.KeyIdsAsync(keys);
        Dictionary<string, decimal> journaled = [];
        (long Rows, long Answered) logged = default;
        try
        {
            await PairUnderLoad.WaitUntilAsync(async () =>
            {
                journaled = await _pair.JournaledCostsAsync();
                logged = await _pair.RequestRowsAsync(keyIds.Values);
                return keys.All(key => journaled.GetValueOrDefault(keyIds[key]) == _pair.Spent[key]) && logged.Rows >= _pair.Outcomes.Count;
            }, TimeSpan.FromSeconds(60), "the journals or the request log did not get everything done while PostgreSQL was down");
        }
        finally
        {
            foreach (var key in keys)
                output.WriteLine($"{keyIds[key]}: spent {_pair.Spent[key]}, journaled {journaled.GetValueOrDefault(keyIds[key])}");
            output.WriteLine($"request log: {logged.Rows} rows ({logged.Answered} answered) for {_pair.Outcomes.Count} requests");
        }
        Assert.Equal((_pair.Outcomes.Count, _pair.Outcomes.Count), ((int)logged.Rows, (int)logged.Answered));
        output.WriteLine($"every key's journal matched its spend, and the request log every request, {clock.Elapsed.TotalSeconds:0.0} s after PostgreSQL started again");
    }
}
