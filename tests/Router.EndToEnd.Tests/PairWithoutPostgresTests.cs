using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Npgsql;
using Router.Contracts.Messages;
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
        await Task.Delay(Outage, Ct);
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

        // And in its key's journal in PostgreSQL, once: the keys' journals were given what they missed when it came back.
        var keyIds = await KeyIdsAsync(keys);
        Dictionary<string, decimal> journaled = [];
        try
        {
            await PairUnderLoad.WaitUntilAsync(async () =>
            {
                journaled = await JournaledCostsAsync();
                return keys.All(key => journaled.GetValueOrDefault(keyIds[key]) == _pair.Spent[key]);
            }, TimeSpan.FromSeconds(30), "the keys' journals did not get every cost settled while PostgreSQL was down");
        }
        finally
        {
            foreach (var key in keys)
                output.WriteLine($"{keyIds[key]}: spent {_pair.Spent[key]}, journaled {journaled.GetValueOrDefault(keyIds[key])}");
            foreach (var key in keys.Where(k => journaled.GetValueOrDefault(keyIds[k]) != _pair.Spent[k]))
                foreach (var node in new[] { 0, 1 })
                    foreach (var line in _pair.Node(node).Output.Split('\n').Where(l => l.Contains(keyIds[key], StringComparison.Ordinal)).TakeLast(8))
                        output.WriteLine($"node {node}: {line[..Math.Min(line.Length, 700)]}");
        }
        output.WriteLine($"every key's journal matched its spend {clock.Elapsed.TotalSeconds:0.0} s after PostgreSQL started again");
    }

    private async Task<Dictionary<string, string>> KeyIdsAsync(IEnumerable<string> keys)
    {
        Dictionary<string, string> ids = [];
        foreach (var key in keys)
        {
            using var admin = _pair.Node(0).CreateClient(MasterKey);
            using var info = JsonDocument.Parse(await admin.GetStringAsync($"/key/info?key={Uri.EscapeDataString(key)}", Ct));
            ids[key] = info.RootElement.GetProperty("info").GetProperty("key_id").GetString()!;
        }
        return ids;
    }

    /// <summary>Each key's cost as its journal in PostgreSQL holds it: the sum of its usage events, by key id.</summary>
    private async Task<Dictionary<string, decimal>> JournaledCostsAsync()
    {
        await using var connection = new NpgsqlConnection(_pair.Postgres.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT persistence_id, message FROM journal WHERE manifest = 'kb-usage'", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Dictionary<string, decimal> costs = [];
        while (await reader.ReadAsync(Ct))
        {
            var keyId = reader.GetString(0)["key-budget-".Length..];
            var usage = JsonSerializer.Deserialize((byte[])reader[1], MessageJsonContext.Default.UsageRecorded)!;
            costs[keyId] = costs.GetValueOrDefault(keyId) + usage.Cost;
        }
        return costs;
    }
}
