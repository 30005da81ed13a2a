using System.CommandLine;
using Router.Contracts.Wire;

namespace Router.Host.Cli;

/// <summary><c>router shards list|locate</c>: the key budget region on every node, and where one key's budget actor lives.</summary>
public static class ShardCommands
{
    public static Command Build()
    {
        var palette = NodeOptions.Palette("shards", "The key budget shards: regions, actors per node, where a key lives.", out var node);

        node.Add(palette, new Command("list", "Each node's key budget region: its shards and how many key budget actors run there."),
            (call, ct) => call.PrintAsync(call.Client.GetAsync("admin/shards", ct), AdminJsonContext.Default.ShardStatsView, stats =>
            {
                CliOutput.Table($"Region '{stats.Region}' as seen by {stats.Node}", ["node", "shards", "key actors", "shards not answering"],
                    stats.Regions.Select(r => (IReadOnlyList<string>)[r.Address, CliOutput.Number(r.Shards), CliOutput.Number(r.Entities),
                        r.Failed.Count == 0 ? "-" : string.Join(",", r.Failed)]));
            }));

        var locate = new Command("locate", "Which shard a key's budget actor is in, and which node hosts it.");
        var key = new Argument<string>("key") { Description = "The key's id (key_…), alias or secret." };
        locate.Arguments.Add(key);
        node.Add(palette, locate, (call, ct) =>
            call.PrintAsync(call.Client.GetAsync($"admin/shards/locate?key={Uri.EscapeDataString(call.Get(key)!)}", ct),
                AdminJsonContext.Default.ShardLocation, at => CliOutput.Pairs($"Key {at.KeyId}", [
                    ("shard", at.Shard),
                    ("node", at.Address ?? "none: no key of this shard has been used since the cluster formed"),
                    ("actor running", CliOutput.Yes(at.EntityRunning)),
                    ("asked", at.Node),
                ])));
        return palette;
    }
}
