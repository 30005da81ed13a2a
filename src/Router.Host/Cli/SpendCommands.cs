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
        return palette;
    }
}
