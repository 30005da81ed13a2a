using System.CommandLine;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;

namespace Router.Host.Cli;

/// <summary><c>router cache stats|flush</c>: the response cache of the node talked to (Redis is shared by the pair; memory is per node).</summary>
public static class CacheCommands
{
    public static Command Build()
    {
        var palette = NodeOptions.Palette("cache", "The response cache: stats, flush.", out var node);

        node.Add(palette, new Command("stats", "The node's cache store, its size where known, and its hits and misses since it started."),
            (call, ct) => call.PrintAsync(call.Client.GetAsync("admin/cache", ct), AdminJsonContext.Default.CacheStatsView, stats =>
                CliOutput.Pairs($"Cache on {stats.Node}", [
                    ("enabled", CliOutput.Yes(stats.Enabled)),
                    ("store", stats.Store),
                    ("health", stats.Health == "ok" ? "ok" : $"{stats.Health}: {stats.Detail}"),
                    ("entries", stats.Store == "redis" ? "shared (not counted)" : CliOutput.Number(stats.Entries)),
                    ("bytes", stats.MaxBytes is { } max ? $"{CliOutput.Number(stats.Bytes)} of {CliOutput.Number(max)}" : CliOutput.Number(stats.Bytes)),
                    ("hits", CliOutput.Number(stats.Hits)),
                    ("misses", CliOutput.Number(stats.Misses)),
                    ("bypasses", CliOutput.Number(stats.Bypasses)),
                    ("saved", CliOutput.Money(stats.SavedCost)),
                ])));

        var flush = new Command("flush", "Remove cached answers: all of them, or those of one model, namespace or entry.");
        var model = new Option<string?>("--model") { Description = "Only this model's answers (the model as sent upstream)." };
        var ns = new Option<string?>("--namespace") { Description = "Only this cache namespace." };
        var entry = new Option<string?>("--entry") { Description = "Only this entry (its id, from the x-router-cache-key header)." };
        flush.Options.Add(model);
        flush.Options.Add(ns);
        flush.Options.Add(entry);
        node.Add(palette, flush, async (call, ct) =>
        {
            var scope = new JsonObject();
            if (call.Get(model) is { } m) scope["model"] = m;
            if (call.Get(ns) is { } n) scope["namespace"] = n;
            if (call.Get(entry) is { } e) scope["key"] = e;
            var body = await call.Client.PostAsync("cache/flush", scope, ct);
            if (call.Json)
            {
                CliOutput.Json(body);
                return;
            }
            var flushed = JsonNode.Parse(body)?["flushed"]?.GetValue<long>()
                ?? throw new CliFailure(ExitCodes.NodeFailed, $"The node at {call.Client.Node} answered the flush without a count.");
            CliOutput.Line($"Flushed {flushed} cached answer{(flushed == 1 ? "" : "s")} from the cache of {call.Client.Node}.");
        });
        return palette;
    }
}
