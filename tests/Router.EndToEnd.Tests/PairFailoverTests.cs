using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The active/active pair on loopback: PostgreSQL, a mock provider and two router processes started at
/// the same moment. Both serve keys whose budget actors live on either node; one node is SIGKILLed
/// under load, the other answers every request it gets (those for the dead node's keys wait until the keys
/// have moved, within 10 s of the kill, and that time is printed), every cent of the successful answers is in
/// the settled spend exactly once, and a nearly spent budget is still enforced; the killed node rejoins, then
/// the other one is killed (issue 17, point 2).
/// </summary>
public sealed class PairFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-pair-master-1f9c3b7a5d";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostgresServer _postgres = null!;
    private MockOpenAiServer _mock = null!;
    private readonly int[] _remotingPorts = [RedisServer.FreePort(), RedisServer.FreePort()];
    private readonly RouterProcess?[] _nodes = new RouterProcess?[2];
    private readonly string[] _dataDirs = [Directory.CreateTempSubdirectory("router-pair-a-").FullName, Directory.CreateTempSubdirectory("router-pair-b-").FullName];

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartNewAsync();
        _mock = await MockOpenAiServer.StartAsync(record: false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
            if (node is not null) await node.DisposeAsync();
        await _mock.DisposeAsync();
        await _postgres.DisposeAsync();
        foreach (var dir in _dataDirs) Directory.Delete(dir, recursive: true);
    }

    private async Task StartNodeAsync(int node) => _nodes[node] = await RouterProcess.StartAsync(PairNodes.Config(MasterKey, _postgres, _mock, _remotingPorts, node) + "\ncache.enabled = false", _dataDirs[node]);

    private RouterProcess Node(int node) => _nodes[node] ?? throw new InvalidOperationException($"node {node} is not running");

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} within {timeout.TotalSeconds} s");
            await Task.Delay(200, Ct);
        }
    }

    private Task<string> GenerateKeyAsync(decimal budget) =>
        Node(0).GenerateKeyAsync(MasterKey, new { models = new[] { "paid" }, max_budget = budget }, Ct);

    private async Task<decimal> SpendAsync(RouterProcess node, string key)
    {
        using var admin = node.CreateClient(MasterKey);
        var info = JsonNode.Parse(await admin.GetStringAsync($"/key/info?key={Uri.EscapeDataString(key)}", Ct))!;
        return info["info"]!["spend"]!.GetValue<decimal>();
    }

    private sealed record Outcome(int Node, string Key, DateTime At, HttpStatusCode? Status, decimal Cost);

    /// <summary>Sends requests to the given nodes round the keys until stopped; records each outcome.</summary>
    private static async Task LoadAsync(RouterProcess node, int index, IReadOnlyList<string> keys, ConcurrentBag<Outcome> outcomes, CancellationToken stop)
    {
        var clients = keys.ToDictionary(k => k, k => node.CreateClient(k));
        var n = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var key = keys[n++ % keys.Count];
                try
                {
                    using var response = await clients[key].PostAsync("/v1/chat/completions",
                        Json("""{"model":"paid","max_tokens":8,"messages":[{"role":"user","content":"one two three"}]}"""), Ct);
                    await response.Content.ReadAsStringAsync(Ct);
                    var cost = response.StatusCode == HttpStatusCode.OK
                        ? decimal.Parse(response.Headers.GetValues("x-router-response-cost").Single(), NumberStyles.Number, CultureInfo.InvariantCulture)
                        : 0m;
                    outcomes.Add(new Outcome(index, key, DateTime.UtcNow, response.StatusCode, cost));
                }
                catch (HttpRequestException)
                {
                    // The node is gone: no answer, nothing spent that the client knows of.
                    outcomes.Add(new Outcome(index, key, DateTime.UtcNow, null, 0));
                    await Task.Delay(50, CancellationToken.None);
                }
            }
        }
        finally
        {
            foreach (var client in clients.Values) client.Dispose();
        }
    }

    /// <summary>Kills one node under load on both, keeps loading the survivor, and checks service and spend.</summary>
    private async Task KillUnderLoadAsync(int victim, IReadOnlyList<string> keys, string nearlySpent, decimal nearlySpentBudget)
    {
        var survivor = 1 - victim;
        var outcomes = new ConcurrentBag<Outcome>();
        using var stopVictim = new CancellationTokenSource();
        using var stopSurvivor = new CancellationTokenSource();
        var victimLoad = Task.Run(() => LoadAsync(Node(victim), victim, keys, outcomes, stopVictim.Token));
        var survivorLoad = Task.Run(() => LoadAsync(Node(survivor), survivor, keys, outcomes, stopSurvivor.Token));
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);

        var killedAt = DateTime.UtcNow;
        await Node(victim).KillAsync();
        await stopVictim.CancelAsync();
        await victimLoad;
        // Until every key answers again on the survivor, then a little more.
        await WaitUntilAsync(() => Task.FromResult(keys.All(k =>
            outcomes.Any(o => o.Node == survivor && o.Key == k && o.At > killedAt && o.Status == HttpStatusCode.OK))), TimeSpan.FromSeconds(60),
            "the survivor did not serve every key again");
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        await stopSurvivor.CancelAsync();
        await survivorLoad;

        var afterKill = outcomes.Where(o => o.Node == survivor && o.At > killedAt).ToList();
        var failures = afterKill.Where(o => o.Status != HttpStatusCode.OK).ToList();
        // A key whose actor was on the dead node is answered again once it moved: its first answer after the kill.
        var failover = keys.Max(k => afterKill.Where(o => o.Key == k && o.Status == HttpStatusCode.OK).Min(o => o.At)) - killedAt;
        output.WriteLine($"killed node {victim}: survivor answered {afterKill.Count - failures.Count} requests and failed {failures.Count} " +
            $"({string.Join(", ", failures.GroupBy(f => f.Status).Select(g => $"{g.Key?.ToString() ?? "no answer"}: {g.Count()}"))}); " +
            $"every key answered again {failover.TotalSeconds:0.0} s after the kill");
        Assert.Empty(failures); // a request for a moving key waits for it instead of failing
        Assert.True(failover < FailoverLimit, $"every key answered again only {failover.TotalSeconds:0.0} s after the kill");

        // Every successful answer's cost is in the spend, once: nothing lost with the dead node, nothing counted
        // twice. The one request the dead node had in flight may be in it too: its answer was settled but never
        // delivered, and the provider did charge for it. That is the only excess there may be.
        var survivorNode = Node(survivor);
        var excess = 0m;
        foreach (var key in keys)
        {
            var answered = outcomes.Where(o => o.Key == key && o.Status == HttpStatusCode.OK).Sum(o => o.Cost);
            var spent = await SpendAsync(survivorNode, key);
            Assert.True(spent >= Spent[key] + answered, $"spend {spent} of a key lost some of its {Spent[key] + answered} answered");
            excess += spent - Spent[key] - answered;
            Spent[key] = spent;
        }
        var cutOff = outcomes.Count(o => o.Node == victim && o.Status is null);
        output.WriteLine($"spend beyond the answered requests: {excess} (requests cut off by the kill: {cutOff})");
        Assert.True(excess <= MaxRequestCost * Math.Min(1, cutOff), $"spend exceeds the answered requests by {excess}");

        // A budget close to its end is still enforced on the survivor: it admits up to the budget and no further.
        using var nearly = survivorNode.CreateClient(nearlySpent);
        HttpStatusCode status;
        do
        {
            using var response = await nearly.PostAsync("/v1/chat/completions",
                Json("""{"model":"paid","max_tokens":8,"messages":[{"role":"user","content":"one two three"}]}"""), Ct);
            status = response.StatusCode;
        } while (status == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(await SpendAsync(survivorNode, nearlySpent) <= nearlySpentBudget);
    }

    private Dictionary<string, decimal> Spent { get; } = [];

    // What issue 17 promises: the survivor serves every key within this long of the kill.
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(10);

    // A request here: 6 prompt tokens at 0.0001 and at most 3 completion tokens at 0.0002.
    private const decimal MaxRequestCost = 0.0012m;

    /// <summary>A key blocked through one node is refused by the other at once (its single actor decides), and unblocked likewise.</summary>
    private async Task A_key_changed_on_one_node_is_changed_on_both_at_once(string key)
    {
        async Task<HttpStatusCode> AskAsync(int node)
        {
            using var http = Node(node).CreateClient(key);
            using var response = await http.PostAsync("/v1/chat/completions",
                Json("""{"model":"paid","max_tokens":8,"messages":[{"role":"user","content":"one two three"}]}"""), Ct);
            return response.StatusCode;
        }
        async Task ChangeAsync(int node, string action)
        {
            using var admin = Node(node).CreateClient(MasterKey);
            using var response = await admin.PostAsJsonAsync($"/key/{action}", new { key }, Ct);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (await AskAsync(0), await AskAsync(1)));
        await ChangeAsync(1, "block");
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (await AskAsync(0), await AskAsync(1)));
        await ChangeAsync(0, "unblock");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (await AskAsync(0), await AskAsync(1)));
        // Those two answers are spend like any other.
        Spent[key] = await SpendAsync(Node(0), key);
    }

    [Fact]
    public async Task Either_node_can_die_under_load_without_losing_service_keys_or_spend()
    {
        // Started at the same moment: they must make one cluster of two, never two clusters of one.
        await Task.WhenAll(StartNodeAsync(0), StartNodeAsync(1));
        await WaitUntilAsync(async () => await PairNodes.MembersUpAsync(Node(0)) == 2 && await PairNodes.MembersUpAsync(Node(1)) == 2, TimeSpan.FromSeconds(30),
            "the two nodes did not form one cluster");

        // Twelve keys: their actors spread over both nodes (all on one has odds of 1 in 2048).
        var keys = new List<string>();
        for (var i = 0; i < 12; i++) keys.Add(await GenerateKeyAsync(100m));
        foreach (var key in keys) Spent[key] = 0;
        // One request costs 0.0001 * 6 + 0.0002 * 3 = 0.0012 at most; this budget allows a few.
        const decimal nearlyBudget = 0.006m;
        var nearly = await GenerateKeyAsync(nearlyBudget);

        await A_key_changed_on_one_node_is_changed_on_both_at_once(keys[0]);

        var stopwatch = Stopwatch.StartNew();
        await KillUnderLoadAsync(victim: 0, keys, nearly, nearlyBudget);

        // The killed node comes back and joins the survivor's cluster.
        await StartNodeAsync(0);
        await WaitUntilAsync(async () => await PairNodes.MembersUpAsync(Node(0)) == 2 && await PairNodes.MembersUpAsync(Node(1)) == 2, TimeSpan.FromSeconds(60),
            "the restarted node did not rejoin");
        var nearlyAgain = await GenerateKeyAsync(nearlyBudget);

        await KillUnderLoadAsync(victim: 1, keys, nearlyAgain, nearlyBudget);
        output.WriteLine($"whole scenario: {stopwatch.Elapsed.TotalSeconds:0} s");
    }
}
