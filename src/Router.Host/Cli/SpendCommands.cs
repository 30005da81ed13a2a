using System.CommandLine;
using Router.Contracts.Wire;

namespace Router.Host.Cli;

/// <summary><c>router spend</c>: totals from the request log (shared by the pair) grouped by key, model, provider or day.</summary>
public static class SpendCommands
{
    public static Command Build()
    {
        var palette = NodeOptions.Palette("spend", "Spend: totals from the request log.", out var node);
        var report = new Command("report", "Requests, tokens, cost, errors and cache savings, grouped by key, model, provider or day.");
        var by = new Option<string>("--by") { Description = "Group by key, model, provider or day.", DefaultValueFactory = _ => "model" };
        by.AcceptOnlyFromAmong("key", "model", "provider", "day");
        var from = new Option<string?>("--from") { Description = "From this time (ISO 8601, e.g. 2026-01-31 or 2026-01-31T12:00:00Z)." };
        var to = new Option<string?>("--to") { Description = "Up to this time (ISO 8601)." };
        report.Options.Add(by);
        report.Options.Add(from);
        report.Options.Add(to);
        node.Add(palette, report, (call, ct) =>
        {
            var query = $"spend/report?group_by={call.Get(by)}"
                + (call.Get(from) is { } f ? $"&from={Uri.EscapeDataString(f)}" : "")
                + (call.Get(to) is { } t ? $"&to={Uri.EscapeDataString(t)}" : "");
            return call.PrintAsync(call.Client.GetAsync(query, ct), WireJsonContext.Default.SpendReport, spend =>
                CliOutput.Table($"Spend by {spend.GroupBy}" + (spend.From is null && spend.To is null ? "" : $" from {spend.From ?? "the start"} to {spend.To ?? "now"}"),
                    [spend.GroupBy, "requests", "prompt tokens", "completion tokens", "cost", "errors", "cache hits", "saved"],
                    spend.Data.Select(row => (IReadOnlyList<string>)[
                        CliOutput.Text(row.Group), CliOutput.Number(row.Requests), CliOutput.Number(row.PromptTokens), CliOutput.Number(row.CompletionTokens),
                        CliOutput.Money(row.Cost), CliOutput.Number(row.Errors), CliOutput.Number(row.CacheHits), CliOutput.Money(row.SavedCost)])));
        });
        AddExport(palette, node);
        return palette;
    }

    /// <summary>
    /// <c>router spend export --from --to [--format csv|jsonl] [--out FILE]</c>: the raw rows of a range, streamed from the node's
    /// <c>GET /spend/export</c> to a file (written whole or not at all) or to standard output.
    /// </summary>
    private static void AddExport(Command palette, NodeOptions node)
    {
        var export = new Command("export", "The raw request rows of a time range as CSV or JSON Lines, e.g. to archive them before the retention deletes them.");
        var from = new Option<string>("--from") { Description = "From this time (ISO 8601, e.g. 2026-01-01 or 2026-01-01T00:00:00Z).", Required = true };
        var to = new Option<string>("--to") { Description = "Up to this time, not included (ISO 8601).", Required = true };
        var format = new Option<string>("--format") { Description = "csv or jsonl.", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "jsonl");
        var output = new Option<string?>("--out") { Description = "Write to this file (standard output if left out)." };
        export.Options.Add(from);
        export.Options.Add(to);
        export.Options.Add(format);
        export.Options.Add(output);
        node.Add(palette, export, async (call, ct) =>
        {
            var query = $"spend/export?from={Uri.EscapeDataString(call.Get(from)!)}&to={Uri.EscapeDataString(call.Get(to)!)}&format={call.Get(format)}";
            if (call.Get(output) is not { } path)
            {
                await using var stdout = Console.OpenStandardOutput();
                await call.Client.DownloadAsync(query, stdout, ct);
                return;
            }
            // Into a file beside the target, moved over it once complete: a failed export leaves no half file behind.
            var full = Path.GetFullPath(path);
            var partial = full + ".partial";
            try
            {
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
                    await call.Client.DownloadAsync(query, file, ct);
                File.Move(partial, full, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliFailure(ExitCodes.Usage, $"Cannot write --out '{path}': {e.Message}");
            }
            finally
            {
                File.Delete(partial);
            }
            await Console.Error.WriteLineAsync($"Exported to {full}");
        });
    }
}
