using System.CommandLine;
using Router.Contracts.Wire;

namespace Router.Host.Cli;

/// <summary><c>router log peek</c>: the last lines the node logged, from its ring buffer, without a shell on its machine.</summary>
public static class LogCommands
{
    public static Command Build()
    {
        var palette = NodeOptions.Palette("log", "The node's recent log lines.", out var node);
        var peek = new Command("peek", "The last lines the node logged (it keeps the last 1000), oldest first.");
        var lines = new Option<int>("--lines", "-n") { Description = "How many lines (1-1000).", DefaultValueFactory = _ => 50 };
        var level = new Option<string?>("--level") { Description = "Only lines at this level or above: debug, information, warning, error, critical." };
        level.AcceptOnlyFromAmong("trace", "debug", "information", "warning", "error", "critical");
        peek.Options.Add(lines);
        peek.Options.Add(level);
        node.Add(palette, peek, (call, ct) =>
        {
            var query = $"admin/log?lines={call.Get(lines)}" + (call.Get(level) is { } l ? $"&level={l}" : "");
            return call.PrintAsync(call.Client.GetAsync(query, ct), AdminJsonContext.Default.LogPeekView, peeked =>
            {
                if (peeked.Lines.Count == 0) CliOutput.Line($"{peeked.Node} has logged nothing at that level yet.");
                foreach (var line in peeked.Lines)
                    CliOutput.Line($"{line.At.ToUniversalTime():HH:mm:ss.fff} {Short(line.Level)} {line.Category}: {line.Message}");
            });
        });
        return palette;
    }

    /// <summary>The console logger's four-letter levels, so a peeked line reads like the node's console.</summary>
    private static string Short(string level) => level switch
    {
        "trace" => "trce",
        "debug" => "dbug",
        "information" => "info",
        "warning" => "warn",
        "error" => "fail",
        "critical" => "crit",
        _ => level,
    };
}
