using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Router.Actors.Sharding;
using Router.EndToEnd.Tests.Fixtures;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The command line against a live two-node cluster, run as an operator runs it (a process, the master key
/// in ROUTER_MASTER_KEY, --json for what a script reads), checking its JSON, its exit codes and that what
/// it asked for happened: members, events of a member leaving, breakers, shards, the cache.
/// </summary>
[Collection("cli-pair")]
public sealed class ClusterCliTests(CliPairFixture pair)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<CliResult> CliAsync(int node, params string[] args) =>
        RouterCliProcess.RunAsync(CliPairFixture.MasterKey, [.. args, "--node", pair.Http(node), "--json"]);

    private static JsonNode Read(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonNode.Parse(result.Stdout) ?? throw new InvalidOperationException(result.ToString());
    }

    private async Task<HttpStatusCode> AskPaidAsync(int node, string? key = null)
    {
        using var http = pair.Node(node).CreateClient(key ?? CliPairFixture.MasterKey);
        using var response = await http.PostAsync("/v1/chat/completions",
            Json($$"""{"model":"paid","max_tokens":8,"messages":[{"role":"user","content":"cli {{Guid.NewGuid():N}}"}]}"""), Ct);
        await response.Content.ReadAsStringAsync(Ct);
        return response.StatusCode;
    }

    [Fact]
    public async Task Cluster_show_lists_both_members_up_from_either_node()
    {
        for (var node = 0; node < 2; node++)
        {
            var view = Read(await CliAsync(node, "cluster", "show"));

            Assert.True(view["clustered"]!.GetValue<bool>());
            Assert.Equal(pair.Address(node), view["node"]!.GetValue<string>());
            var members = view["members"]!.AsArray();
            Assert.Equal(new[] { pair.Address(0), pair.Address(1) }.Order(StringComparer.Ordinal), members.Select(m => m!["address"]!.GetValue<string>()).Order(StringComparer.Ordinal));
            Assert.All(members, m =>
            {
                Assert.Equal("up", m!["status"]!.GetValue<string>());
                Assert.True(m["reachable"]!.GetValue<bool>());
                Assert.Equal(["router"], m["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
            });
            Assert.Single(members, m => m!["self"]!.GetValue<bool>());
            var leader = Assert.Single(members, m => m!["leader"]!.GetValue<bool>());
            Assert.Equal(view["leader"]!.GetValue<string>(), leader!["address"]!.GetValue<string>());
        }

        // The table for a person names both members too.
        var table = await RouterCliProcess.RunAsync(CliPairFixture.MasterKey, "cluster", "show", "--node", pair.Http(0));
        Assert.Equal(0, table.ExitCode);
        Assert.Contains(pair.Address(0), table.Stdout);
        Assert.Contains(pair.Address(1), table.Stdout);
    }

    [Fact]
    public async Task A_tripped_breaker_refuses_on_its_node_only_until_it_is_reset()
    {
        Assert.Equal(HttpStatusCode.OK, await AskPaidAsync(0));

        var tripped = Read(await CliAsync(0, "breakers", "trip", "mock:paid", "--for", "10m"));

        Assert.Equal(pair.Address(0), tripped["node"]!.GetValue<string>());
        Assert.Equal("trip", tripped["action"]!.GetValue<string>());
        Assert.Equal("open", tripped["breaker"]!["circuit"]!.GetValue<string>());
        var openUntil = tripped["breaker"]!["open_until"]!.GetValue<DateTimeOffset>();
        Assert.InRange(openUntil - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await AskPaidAsync(0));
        // Breakers are per node: the other one still serves, and lists its own circuit closed.
        Assert.Equal(HttpStatusCode.OK, await AskPaidAsync(1));
        var other = Read(await CliAsync(1, "breakers", "list"));
        Assert.Equal("closed", other["breakers"]!.AsArray().Single(b => b!["id"]!.GetValue<string>() == "mock:paid")!["circuit"]!.GetValue<string>());
        var listed = Read(await CliAsync(0, "breakers", "list"));
        Assert.Equal("open", listed["breakers"]!.AsArray().Single(b => b!["id"]!.GetValue<string>() == "mock:paid")!["circuit"]!.GetValue<string>());

        var reset = Read(await CliAsync(0, "breakers", "reset", "mock:paid"));

        Assert.Equal("closed", reset["breaker"]!["circuit"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, await AskPaidAsync(0));
    }

    [Fact]
    public async Task A_breaker_nothing_routes_to_is_not_found()
    {
        var result = await CliAsync(0, "breakers", "trip", "mock:nothing");

        Assert.Equal(6, result.ExitCode);
        Assert.Contains("No deployment 'mock:nothing'", result.Stderr);
    }

    [Fact]
    public async Task Shards_locate_finds_the_node_hosting_a_key_and_both_nodes_agree()
    {
        var generated = Read(await CliAsync(0, "keys", "generate", "--alias", "cli-locate", "--model", "paid"));
        var keyId = generated["key_id"]!.GetValue<string>();
        var secret = generated["key"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, await AskPaidAsync(1, secret));

        var fromA = Read(await CliAsync(0, "shards", "locate", keyId));
        var fromB = Read(await CliAsync(1, "shards", "locate", "cli-locate"));

        var shard = new KeyBudgetMessageExtractor().ShardId(keyId, null);
        Assert.Equal(shard, fromA["shard"]!.GetValue<string>());
        Assert.Equal(keyId, fromB["key_id"]!.GetValue<string>());
        Assert.Equal(shard, fromB["shard"]!.GetValue<string>());
        var host = fromA["address"]!.GetValue<string>();
        Assert.Contains(host, new[] { pair.Address(0), pair.Address(1) });
        Assert.Equal(host, fromB["address"]!.GetValue<string>());
        Assert.True(fromA["entity_running"]!.GetValue<bool>());

        // The shard list shows both nodes' regions, and the key's shard on the node that hosts it.
        var stats = Read(await CliAsync(1, "shards", "list"));
        var regions = stats["regions"]!.AsArray();
        Assert.Equal(new[] { pair.Address(0), pair.Address(1) }.Order(StringComparer.Ordinal), regions.Select(r => r!["address"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var hosting = regions.Single(r => r!["address"]!.GetValue<string>() == host)!;
        Assert.True(hosting["shard_entities"]![shard]!.GetValue<int>() >= 1);

        var unknown = await CliAsync(0, "shards", "locate", "key_0000000000000000");
        Assert.Equal(6, unknown.ExitCode);
    }

    [Fact]
    public async Task Cache_flush_empties_the_cache_of_the_node_asked()
    {
        using var http = pair.Node(0).CreateClient(CliPairFixture.MasterKey);
        async Task<string> AskAsync()
        {
            using var response = await http.PostAsync("/v1/chat/completions",
                Json("""{"model":"paid","max_tokens":8,"messages":[{"role":"user","content":"cached by the cli test"}]}"""), Ct);
            await response.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var state = response.Headers.GetValues("x-router-cache").Single();
            if (state == "miss") await Task.Delay(200, Ct); // the entry is stored after the answer
            return state;
        }
        await AskAsync();
        Assert.Equal("hit", await AskAsync());
        var before = Read(await CliAsync(0, "cache", "stats"));
        Assert.Equal("memory", before["store"]!.GetValue<string>());
        Assert.True(before["entries"]!.GetValue<long>() >= 1);
        Assert.True(before["hits"]!.GetValue<long>() >= 1);

        var flushed = Read(await CliAsync(0, "cache", "flush"));

        Assert.True(flushed["flushed"]!.GetValue<long>() >= 1);
        Assert.Equal(0, Read(await CliAsync(0, "cache", "stats"))["entries"]!.GetValue<long>());
        Assert.Equal("miss", await AskAsync());
    }

    [Fact]
    public async Task A_member_leaving_on_sigterm_is_streamed_by_cluster_tail()
    {
        await using var tail = RouterCliProcess.Start(CliPairFixture.MasterKey, "cluster", "tail", "--node", pair.Http(0), "--json");
        // The stream opens with the current members.
        await tail.WaitForLineAsync(l => IsEvent(l, "member_up", pair.Address(1)), TimeSpan.FromSeconds(20), "the current members were not streamed");

        pair.Node(1).Terminate();
        Assert.Equal(0, await pair.Node(1).WaitForExitAsync(TimeSpan.FromSeconds(60)));

        await tail.WaitForLineAsync(l => IsEvent(l, "member_left", pair.Address(1)) || IsEvent(l, "member_exited", pair.Address(1)),
            TimeSpan.FromSeconds(30), "the member leaving was not streamed");
        await tail.WaitForLineAsync(l => IsEvent(l, "member_removed", pair.Address(1)), TimeSpan.FromSeconds(30), "the member's removal was not streamed");
        Assert.False(tail.HasExited);
        var members = Read(await CliAsync(0, "cluster", "show"))["members"]!.AsArray();
        Assert.Equal(pair.Address(0), Assert.Single(members)!["address"]!.GetValue<string>());

        // The stopped node's HTTP address no longer answers: a clear message and exit code 4.
        var down = await RouterCliProcess.RunAsync(CliPairFixture.MasterKey, "cluster", "show", "--node", pair.Http(1));
        Assert.Equal(4, down.ExitCode);
        Assert.Contains($"Cannot reach the node at http://{pair.Http(1)}", down.Stderr);

        // Back to two members for the other tests; the tail sees it rejoin.
        await pair.StopNodeAsync(1);
        await pair.StartNodeAsync(1);
        await tail.WaitForLineAsync(l => IsEvent(l, "member_up", pair.Address(1)) && tail.Lines.Count(x => IsEvent(x, "member_up", pair.Address(1))) >= 2,
            TimeSpan.FromSeconds(30), "the rejoining member was not streamed");
    }

    private static bool IsEvent(string line, string name, string address)
    {
        var e = JsonNode.Parse(line);
        return e?["event"]?.GetValue<string>() == name && e["address"]?.GetValue<string>() == address;
    }

    [Fact]
    public async Task A_wrong_master_key_exits_with_5_and_says_so()
    {
        var result = await RouterCliProcess.RunAsync("sk-not-the-master-key", "cluster", "show", "--node", pair.Http(0), "--json");

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("refused the master key from ROUTER_MASTER_KEY", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Config_show_masks_the_master_key_and_the_database_password()
    {
        var result = await CliAsync(1, "config", "show");
        var config = Read(result);

        Assert.Equal("********", config["master-key"]!.GetValue<string>());
        Assert.DoesNotContain(CliPairFixture.MasterKey, result.Stdout);
        Assert.DoesNotContain(pair.Postgres.Password, result.Stdout);
        Assert.Contains("********", config["storage"]!["connection-string"]!.GetValue<string>());
        Assert.Equal(pair.RemotingSeed(1), $"{config["cluster"]!["hostname"]}:{config["cluster"]!["port"]}");
    }

    [Fact]
    public async Task Log_peek_shows_the_nodes_recent_lines_and_cluster_leave_of_a_stranger_is_not_found()
    {
        var log = Read(await CliAsync(0, "log", "peek", "--lines", "500"));
        Assert.Equal(pair.Address(0), log["node"]!.GetValue<string>());
        Assert.Contains(log["lines"]!.AsArray(), l => l!["message"]!.GetValue<string>().Contains("Now listening on", StringComparison.Ordinal));
        Assert.DoesNotContain(CliPairFixture.MasterKey, log.ToJsonString());

        var stranger = await CliAsync(0, "cluster", "leave", "127.0.0.1:1");
        Assert.Equal(6, stranger.ExitCode);
        Assert.Contains("is not a member", stranger.Stderr);
    }
}
