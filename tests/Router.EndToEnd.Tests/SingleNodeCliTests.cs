using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The command line against a single node (no router.cluster), and without a node at all: a cluster of one,
/// the membership commands refused, and the exit codes a script relies on when the node is down, the key is
/// missing, or a configuration file is checked.
/// </summary>
public sealed class SingleNodeCliTests : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-cli-single-8a2f4c6e1b-7e3c9a1";
    private RouterProcess _router = null!;

    public async ValueTask InitializeAsync() => _router = await RouterProcess.StartAsync($$"""
          master-key = "{{MasterKey}}"
          providers { local { type = openai-compatible, api-base = "http://127.0.0.1:9/v1" } }
          models = [ { name = "m", provider = local, model = "x" } ]
        """);

    public async ValueTask DisposeAsync() => await _router.DisposeAsync();

    private string Node => new Uri(_router.BaseUrl).Authority;

    [Fact]
    public async Task A_single_node_is_a_cluster_of_one_and_refuses_membership_commands()
    {
        var show = await RouterCliProcess.RunAsync(MasterKey, "cluster", "show", "--node", Node, "--json");
        Assert.True(show.ExitCode == 0, show.ToString());
        var view = JsonNode.Parse(show.Stdout)!;
        Assert.False(view["clustered"]!.GetValue<bool>());
        var member = Assert.Single(view["members"]!.AsArray())!;
        Assert.Equal(("up", true), (member["status"]!.GetValue<string>(), member["self"]!.GetValue<bool>()));

        var leave = await RouterCliProcess.RunAsync(MasterKey, "cluster", "down-unreachable", "--node", Node);
        Assert.Equal(7, leave.ExitCode);
        Assert.Contains("runs alone", leave.Stderr);

        // Its one region holds the master key's budget actor (the readiness probe woke it).
        var shards = await RouterCliProcess.RunAsync(MasterKey, "shards", "list", "--node", Node, "--json");
        Assert.True(shards.ExitCode == 0, shards.ToString());
        Assert.True(JsonNode.Parse(shards.Stdout)!["regions"]![0]!["entities"]!.GetValue<int>() >= 1);
    }

    [Fact]
    public async Task A_node_that_is_down_exits_with_4_and_says_where()
    {
        var port = Router.MockUpstream.LoopbackPort.Free();

        var result = await RouterCliProcess.RunAsync(MasterKey, "breakers", "list", "--node", $"127.0.0.1:{port}", "--json");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains($"Cannot reach the node at http://127.0.0.1:{port}", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Without_ROUTER_MASTER_KEY_it_exits_with_5_before_asking()
    {
        var result = await RouterCliProcess.RunAsync(null, "keys", "list", "--node", Node);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("ROUTER_MASTER_KEY is not set", result.Stderr);
    }

    [Fact]
    public async Task Config_check_validates_a_file_without_a_node()
    {
        var dir = Directory.CreateTempSubdirectory("router-cli-check-").FullName;
        try
        {
            var good = Path.Combine(dir, "good.conf");
            await File.WriteAllTextAsync(good, """
                router {
                  providers { local { type = openai-compatible, api-base = "http://127.0.0.1:11434/v1" } }
                  models = [ { name = "m", provider = local } ]
                }
                """, TestContext.Current.CancellationToken);
            var bad = Path.Combine(dir, "bad.conf");
            await File.WriteAllTextAsync(bad, """router { models = [ { name = "m", provider = nowhere } ] }""", TestContext.Current.CancellationToken);

            var valid = await RouterCliProcess.RunAsync(null, "config", "check", good, "--json");
            var invalid = await RouterCliProcess.RunAsync(null, "config", "check", bad, "--json");

            Assert.True(valid.ExitCode == 0, valid.ToString());
            Assert.True(JsonNode.Parse(valid.Stdout)!["valid"]!.GetValue<bool>());
            Assert.Equal(2, invalid.ExitCode);
            Assert.False(JsonNode.Parse(invalid.Stdout)!["valid"]!.GetValue<bool>());
            Assert.Contains("nowhere", invalid.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
