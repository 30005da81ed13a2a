using System.Net;
using Router.EndToEnd.Tests.Fixtures;

namespace Router.EndToEnd.Tests;

/// <summary>
/// A node and PostgreSQL lost together (issue 17, point 3), the usual homelab layout with PostgreSQL in an LXC on
/// one of the two hosts: under load on both nodes over twelve keys, node 0 is SIGKILLed and PostgreSQL killed
/// (SIGQUIT) at the same moment. The survivor cannot ask its witness, takes the split-brain lease without it, and
/// serves every key within 10 s, those whose actors lived on the dead node recovered from its own replica: it
/// answers every request it gets with 200, and each key's spend there is the sum of the costs of the answers both
/// nodes gave (the dead node's included: a confirmed settlement was on both nodes before its answer went). When
/// PostgreSQL is back, each key's journal gets what it missed, once.
/// </summary>
[Collection(PairUnderLoad.Collection)]
public sealed class PairLosesNodeAndPostgresTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-node-and-postgres-master-2c8f4a6e0b";
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PairUnderLoad _pair = null!;

    public async ValueTask InitializeAsync() => _pair = await PairUnderLoad.StartAsync(MasterKey, "cache.enabled = false");

    public ValueTask DisposeAsync() => _pair.DisposeAsync();

    [Fact]
    public async Task The_survivor_serves_every_key_within_10_s_with_every_settled_cost_when_its_peer_and_PostgreSQL_die_together()
    {
        // Twelve keys: their actors spread over both nodes (all on one has odds of 1 in 2048).
        var keys = new List<string>();
        for (var i = 0; i < 12; i++) keys.Add(await _pair.GenerateKeyAsync(100m));
        foreach (var key in keys) _pair.Spent[key] = 0;
        var keyIds = await _pair.KeyIdsAsync(keys);
        Assert.True(await _pair.ShardsHostedAsync(0) > 0, "no key lives on the node to be killed");
        _pair.StartLoad(0, keys);
        _pair.StartLoad(1, keys);
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);

        var killedAt = DateTime.UtcNow;
        await Task.WhenAll(_pair.Node(0).KillAsync(), _pair.Postgres.StopAsync());
        await _pair.StopLoadAsync(0);
        await _pair.UntilEveryKeyServedAsync(1, keys, killedAt, "the survivor did not serve every key again");
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        await _pair.StopLoadAsync(1);

        var atSurvivor = _pair.Outcomes.Where(o => o.Node == 1 && o.At > killedAt).ToList();
        var failures = atSurvivor.Where(o => o.Status != HttpStatusCode.OK).ToList();
        var failover = _pair.EveryKeyServedAfter(1, keys, killedAt);
        output.WriteLine($"node 0 and PostgreSQL killed: the survivor answered {atSurvivor.Count - failures.Count} requests and failed {failures.Count} " +
            $"({PairUnderLoad.Tally(failures)}); every key answered again {failover.TotalSeconds:0.0} s after the kill; " +
            $"its slowest answer took {atSurvivor.Max(o => o.Took).TotalSeconds:0.00} s");
        Assert.Empty(failures);
        Assert.True(failover < FailoverLimit, $"every key answered again only {failover.TotalSeconds:0.0} s after the kill");

        // Every answer's cost is in the survivor's spend, the dead node's answers included. The one request the dead
        // node had in flight per client may be in it too: settled, never delivered, and charged by the provider.
        var cutOff = _pair.Outcomes.Count(o => o.Node == 0 && o.Status is null);
        var excess = await _pair.CheckSpendAsync(_pair.Node(1), keys, [.. _pair.Outcomes]);
        output.WriteLine($"spend beyond the answered requests: {excess} (requests cut off by the kill: {cutOff})");
        Assert.True(excess <= PairUnderLoad.MaxRequestCost * cutOff, $"spend exceeds the answered requests by {excess}");

        // PostgreSQL back: each key's journal gets what it missed, once (the survivor's spend, read just now).
        await _pair.Postgres.StartAsync();
        Dictionary<string, decimal> journaled = [];
        try
        {
            await PairUnderLoad.WaitUntilAsync(async () =>
            {
                journaled = await _pair.JournaledCostsAsync();
                return keys.All(key => journaled.GetValueOrDefault(keyIds[key]) == _pair.Spent[key]);
            }, TimeSpan.FromSeconds(60), "the keys' journals did not get what was settled without PostgreSQL");
        }
        finally
        {
            foreach (var key in keys)
                output.WriteLine($"{keyIds[key]}: spent {_pair.Spent[key]}, journaled {journaled.GetValueOrDefault(keyIds[key])}");
        }
    }
}
