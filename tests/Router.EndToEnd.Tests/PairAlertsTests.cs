using System.Diagnostics;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The pair's membership alerts, from a real pair on loopback: one node is SIGKILLed; the survivor, whose alert
/// targets are a loopback webhook receiver (generic JSON and Discord), sends <c>node-unreachable</c> once its
/// heartbeats stop and <c>node-left</c> once it has downed the dead node, each exactly once, naming the dead
/// node's address and no secret. The node is started again; when it has rejoined, the survivor sends
/// <c>node-up</c> once, and the restarted node sends nothing of its peer (it never saw it leave).
/// </summary>
[Collection(PairUnderLoad.Collection)]
public sealed class PairAlertsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-pair-alerts-master-3b7e9d1c5a";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Targets = ["generic", "discord"];

    private WebhookReceiver _hooks = null!;
    private PairUnderLoad _pair = null!;

    public async ValueTask InitializeAsync()
    {
        _hooks = await WebhookReceiver.StartAsync(failFirst: 0);
        _pair = await PairUnderLoad.StartAsync(MasterKey, $$"""
        cache.enabled = false
        alerts {
          sample-interval = 200ms
          hold-off = 0s
          retry-delay = 100ms
          targets = [
            { name = generic, url = "{{_hooks.Root}}/generic" }
            { name = discord, format = discord, url = "{{_hooks.Root}}/discord/api/webhooks/7/pair-hook-token" }
          ]
        }
        """);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pair is not null) await _pair.DisposeAsync();
        if (_hooks is not null) await _hooks.DisposeAsync();
    }

    [Fact]
    public async Task A_killed_node_is_sent_unreachable_and_left_once_and_its_return_once()
    {
        const int victim = 1, survivor = 0;
        var clock = Stopwatch.StartNew();
        var victimAddress = await NodeNameAsync(_pair.Node(victim));
        var survivorName = await NodeNameAsync(_pair.Node(survivor));

        await _pair.Node(victim).KillAsync();
        var killed = clock.Elapsed;
        await ArrivedAsync("node-unreachable");
        await ArrivedAsync("node-left");
        var left = clock.Elapsed;

        await _pair.StartNodeAsync(victim);
        await ArrivedAsync("node-up");
        var back = clock.Elapsed;
        // A few more samples on both nodes: nothing more is sent.
        await Task.Delay(1500, Ct);
        output.WriteLine($"killed at {killed.TotalSeconds:0.0} s, node-left by {left.TotalSeconds:0.0} s, node-up by {back.TotalSeconds:0.0} s");

        string[] expected = ["node-unreachable", "node-left", "node-up"];
        foreach (var target in Targets)
            Assert.Equal(expected, _hooks.Received.Where(h => TargetOf(h) == target).Select(h => EventOf(target, h)));
        foreach (var hook in _hooks.Received.Where(h => TargetOf(h) == "generic"))
        {
            var body = JsonNode.Parse(hook.Body)!;
            Assert.Equal(["event", "severity", "summary", "details", "node", "at"], body.AsObject().Select(p => p.Key));
            Assert.Equal(survivorName, (string)body["node"]!);
            Assert.Equal(victimAddress, (string)body["details"]!["member"]!);
        }
        var severities = _hooks.Received.Where(h => TargetOf(h) == "generic").Select(h => (string)JsonNode.Parse(h.Body)!["severity"]!);
        Assert.Equal(["critical", "warning", "info"], severities);
        foreach (var hook in _hooks.Received.Where(h => TargetOf(h) == "discord"))
        {
            var discord = JsonNode.Parse(hook.Body)!;
            Assert.StartsWith("Router: ", (string)discord["content"]!);
            Assert.Contains(victimAddress, (string)discord["embeds"]![0]!["description"]!);
        }
        foreach (var hook in _hooks.Received)
        {
            Assert.DoesNotContain(MasterKey, hook.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("pair-hook-token", hook.Body, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("pair-hook-token", _pair.Node(survivor).Output, StringComparison.Ordinal);

        async Task ArrivedAsync(string name)
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100, Ct))
                if (Targets.All(t => _hooks.Received.Any(h => TargetOf(h) == t && EventOf(t, h) == name))) return;
            throw new TimeoutException($"'{name}' did not reach every target; received: " +
                string.Join(", ", _hooks.Received.Select(h => $"{TargetOf(h)}:{EventOf(TargetOf(h), h)}")) + "\n" + _pair.Node(survivor).Output);
        }
    }

    /// <summary>The node's name as its alerts carry it (and its peer names it as a member): its cluster address.</summary>
    private static async Task<string> NodeNameAsync(RouterProcess node)
    {
        using var admin = node.CreateClient(MasterKey);
        return (string)JsonNode.Parse(await admin.GetStringAsync("/admin/alerts", Ct))!["node"]!;
    }

    private static string TargetOf(Webhook hook) => hook.Path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];

    private static string EventOf(string target, Webhook hook) => target == "discord"
        ? ((string)JsonNode.Parse(hook.Body)!["embeds"]![0]!["description"]!).Split('\n')
            .Single(l => l.StartsWith("event: ", StringComparison.Ordinal))["event: ".Length..]
        : (string)JsonNode.Parse(hook.Body)!["event"]!;
}
