using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Router.EndToEnd.Tests.Fixtures;
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
[Collection(PairUnderLoad.Collection)]
public sealed class PairFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-pair-master-1f9c3b7a5d-7e3c9a";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PairUnderLoad _pair = null!;

    public async ValueTask InitializeAsync() => _pair = await PairUnderLoad.StartAsync(MasterKey, "cache.enabled = false");

    public async ValueTask DisposeAsync() => await _pair.DisposeAsync();

    private RouterProcess Node(int node) => _pair.Node(node);

    /// <summary>Kills one node under load on both, keeps loading the survivor, and checks service and spend.</summary>
    private async Task KillUnderLoadAsync(int victim, IReadOnlyList<string> keys, string nearlySpent, decimal nearlySpentBudget)
    {
        var survivor = 1 - victim;
        var outcomes = new ConcurrentBag<PairUnderLoad.Outcome>();
        using var stopVictim = new CancellationTokenSource();
        using var stopSurvivor = new CancellationTokenSource();
        var victimLoad = Task.Run(() => PairUnderLoad.LoadAsync(Node(victim), victim, keys, outcomes, stopVictim.Token));
        var survivorLoad = Task.Run(() => PairUnderLoad.LoadAsync(Node(survivor), survivor, keys, outcomes, stopSurvivor.Token));
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);

        var killedAt = DateTime.UtcNow;
        await Node(victim).KillAsync();
        await stopVictim.CancelAsync();
        await victimLoad;
        // Until every key answers again on the survivor, then a little more.
        await PairUnderLoad.WaitUntilAsync(() => Task.FromResult(keys.All(k =>
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
            $"({PairUnderLoad.Tally(failures)}); " +
            $"every key answered again {failover.TotalSeconds:0.0} s after the kill");
        Assert.Empty(failures); // a request for a moving key waits for it instead of failing
        Assert.True(failover < FailoverLimit, $"every key answered again only {failover.TotalSeconds:0.0} s after the kill");

        // Every successful answer's cost is in the spend, once: nothing lost with the dead node, nothing counted
        // twice. The one request the dead node had in flight may be in it too: its answer was settled but never
        // delivered, and the provider did charge for it. That is the only excess there may be.
        var survivorNode = Node(survivor);
        var excess = await _pair.CheckSpendAsync(survivorNode, keys, outcomes);
        var cutOff = outcomes.Count(o => o.Node == victim && o.Status is null);
        output.WriteLine($"spend beyond the answered requests: {excess} (requests cut off by the kill: {cutOff})");
        Assert.True(excess <= PairUnderLoad.MaxRequestCost * Math.Min(1, cutOff), $"spend exceeds the answered requests by {excess}");

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
        Assert.True(await _pair.SpendAsync(survivorNode, nearlySpent) <= nearlySpentBudget);
    }

    // What issue 17 promises: the survivor serves every key within this long of the kill.
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(10);

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
        _pair.Spent[key] = await _pair.SpendAsync(Node(0), key);
    }

    [Fact]
    public async Task Either_node_can_die_under_load_without_losing_service_keys_or_spend()
    {
        // Twelve keys: their actors spread over both nodes (all on one has odds of 1 in 2048).
        var keys = new List<string>();
        for (var i = 0; i < 12; i++) keys.Add(await _pair.GenerateKeyAsync(100m));
        foreach (var key in keys) _pair.Spent[key] = 0;
        // One request costs 0.0001 * 6 + 0.0002 * 3 = 0.0012 at most; this budget allows a few.
        const decimal nearlyBudget = 0.006m;
        var nearly = await _pair.GenerateKeyAsync(nearlyBudget);

        await A_key_changed_on_one_node_is_changed_on_both_at_once(keys[0]);

        var stopwatch = Stopwatch.StartNew();
        await KillUnderLoadAsync(victim: 0, keys, nearly, nearlyBudget);

        // The killed node comes back and joins the survivor's cluster.
        await _pair.StartNodeAsync(0);
        var nearlyAgain = await _pair.GenerateKeyAsync(nearlyBudget);

        await KillUnderLoadAsync(victim: 1, keys, nearlyAgain, nearlyBudget);
        output.WriteLine($"whole scenario: {stopwatch.Elapsed.TotalSeconds:0} s");
    }
}
