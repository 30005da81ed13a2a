using System.CommandLine;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;

namespace Router.Host.Cli;

/// <summary>
/// <c>router cluster show|tail|leave|down|join|down-unreachable</c>: the members as a node sees them, their
/// changes as they happen, and the membership commands, carried out by the node talked to; and <c>cert</c>
/// (<see cref="ClusterCertCommand"/>), the certificates of TLS between the nodes, made here.
/// </summary>
public static class ClusterCommands
{
    /// <summary>The node sends a keep-alive every 10 s; three missed mean it is gone.</summary>
    private static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(30);

    public static Command Build()
    {
        var palette = NodeOptions.Palette("cluster", "The cluster: members, their changes, and membership commands.", out var node);

        node.Add(palette, new Command("show", "Members with status, roles, reachability and the leader, as the node sees them."), ShowAsync);
        node.Add(palette, new Command("tail", "Stream membership and reachability changes as the node sees them, until Ctrl-C."), TailAsync);

        var address = () => new Argument<string>("address") { Description = "The member: host:port (its remoting port) or akka.tcp://router@host:port." };
        var leave = new Command("leave", "Ask a member to leave gracefully (its key budgets move to the others first).");
        var leaveAddress = address();
        leave.Arguments.Add(leaveAddress);
        node.Add(palette, leave, (call, ct) => ActAsync(call, "leave", call.Get(leaveAddress), ct));

        var down = new Command("down", "Mark a member down, for one that crashed: the others take its key budgets at once.");
        var downAddress = address();
        down.Arguments.Add(downAddress);
        node.Add(palette, down, (call, ct) => ActAsync(call, "down", call.Get(downAddress), ct));

        var join = new Command("join", "Ask the node (--node) to join the cluster of the member at the address.");
        var joinAddress = address();
        join.Arguments.Add(joinAddress);
        node.Add(palette, join, (call, ct) => ActAsync(call, "join", call.Get(joinAddress), ct));

        node.Add(palette, new Command("down-unreachable", "Mark every member the node cannot reach down."),
            (call, ct) => ActAsync(call, "down-unreachable", null, ct));
        // Made on this machine, for the nodes' router.cluster.tls: no node is asked.
        palette.Subcommands.Add(ClusterCertCommand.Build(node.Json));
        return palette;
    }

    private static async Task ShowAsync(NodeCall call, CancellationToken ct)
    {
        await call.PrintAsync(call.Client.GetAsync("admin/cluster", ct), AdminJsonContext.Default.ClusterView, view => CliOutput.Table(
            view.Clustered ? $"Cluster as seen by {view.Node}" : $"Single node {view.Node} (no router.cluster)",
            ["address", "status", "roles", "reachable", "leader"],
            view.Members.Select(m => (IReadOnlyList<string>)[
                m.Address + (m.Self ? " (this node)" : ""), m.Status, m.Roles.Count == 0 ? "-" : string.Join(",", m.Roles),
                CliOutput.Yes(m.Reachable), m.Leader ? "leader" : ""])));
    }

    private static async Task TailAsync(NodeCall call, CancellationToken ct)
    {
        // Ctrl-C ends the tail as asked, with success; the process would otherwise die of the signal.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (!call.Json) CliOutput.Line($"Cluster events seen by {call.Client.Node} (Ctrl-C to stop):");
            await foreach (var data in call.Client.EventsAsync("admin/cluster/events", SilenceLimit, stop.Token))
            {
                if (call.Json)
                {
                    CliOutput.Json(data);
                    continue;
                }
                var e = call.Client.Read(data, AdminJsonContext.Default.ClusterEventView);
                CliOutput.Line($"{e.At.ToUniversalTime():HH:mm:ss.fff}  {e.Event,-16}  {e.Address ?? "(none)"}" +
                    (e.Status is null ? "" : $"  {e.Status}") + (e.Roles is { Count: > 0 } roles ? $"  [{string.Join(",", roles)}]" : ""));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl-C.
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static async Task ActAsync(NodeCall call, string action, string? address, CancellationToken ct)
    {
        var answer = call.Client.PostAsync($"admin/cluster/{action}", address is null ? null : new JsonObject { ["address"] = address }, ct);
        await call.PrintAsync(answer, AdminJsonContext.Default.ClusterActionResult, result => CliOutput.Line(action switch
        {
            "leave" => $"{result.Node} asked {result.Addresses[0]} to leave; `router cluster tail` shows it go.",
            "down" => $"{result.Node} marked {result.Addresses[0]} down.",
            "join" => $"{result.Node} asked to join the cluster of {result.Addresses[0]}; `router cluster show` shows when it is up.",
            _ => result.Addresses.Count == 0
                ? $"{result.Node} reaches every member: nothing to down."
                : $"{result.Node} marked down: {string.Join(", ", result.Addresses)}.",
        }));
    }
}
