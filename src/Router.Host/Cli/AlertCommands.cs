using System.CommandLine;
using System.Globalization;
using Router.Host.Alerts;

namespace Router.Host.Cli;

/// <summary><c>router alerts list|test</c>: the node's last alerts and their deliveries; a test notification to every target.</summary>
public static class AlertCommands
{
    public static Command Build()
    {
        var palette = NodeOptions.Palette("alerts", "Alerts of the node: the last ones sent and to whom; a test notification.", out var node);

        node.Add(palette, new Command("list", "The node's last alerts (kept in its data directory) and each target's delivery."),
            (call, ct) => call.PrintAsync(call.Client.GetAsync("admin/alerts", ct), AlertsJsonContext.Alerts.AlertListView,
                list => CliOutput.Table($"Alerts on {list.Node} (last {list.Kept}, kept across restarts)",
                    ["at", "event", "severity", "summary", "deliveries"],
                    list.Alerts.Select(a => (IReadOnlyList<string>)[
                        CliOutput.Time(a.At), a.Event, a.Severity, a.Summary,
                        string.Join(", ", a.Deliveries.Select(d => $"{d.Target}: {d.Status}")),
                    ]))));

        node.Add(palette, new Command("test", "Ask the node to send a test notification to every target now, and show each one's outcome."),
            async (call, ct) =>
            {
                var answer = await call.Client.PostAsync("admin/alerts/test", null, ct);
                var result = call.Client.Read(answer, AlertsJsonContext.Alerts.AlertTestResult);
                await call.PrintAsync(Task.FromResult(answer), AlertsJsonContext.Alerts.AlertTestResult, r =>
                    CliOutput.Table($"Test notification from {r.Node}", ["target", "format", "result", "tries", "error"],
                        r.Deliveries.Select(d => (IReadOnlyList<string>)[
                            d.Target, d.Format, d.Status, d.Attempts.ToString(CultureInfo.InvariantCulture), CliOutput.Text(d.Error)])));
                if (result.Deliveries.Count == 0) CliOutput.Line("No target is configured: add router.alerts.targets.");
                // A target that did not take it makes the command fail, so a script notices.
                if (result.Deliveries.Any(d => d.Status != DeliveryStatus.Sent)) throw new CliFailure(ExitCodes.NodeFailed, "a target did not take the test notification");
            });
        return palette;
    }
}
