using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;
using Router.Host.Keys;

namespace Router.Host.Cli;

/// <summary>
/// <c>router breakers list|trip|reset</c>: every deployment's circuit on the node talked to. Breakers are
/// per node, so each answer names its node; to change both nodes' breaker, run it against each.
/// </summary>
public static class BreakerCommands
{
    public static Command Build()
    {
        var palette = NodeOptions.Palette("breakers", "Circuit breakers of the node: state per deployment; trip and reset by hand.", out var node);

        node.Add(palette, new Command("list", "Each deployment's circuit, failures, latency and calls in flight on the node."),
            (call, ct) => call.PrintAsync(call.Client.GetAsync("admin/breakers", ct), AdminJsonContext.Default.BreakerListView,
                list => CliOutput.Table($"Breakers on {list.Node}",
                    ["deployment", "model", "provider", "circuit", "open until", "failures in a row", "failure rate", "latency ms", "in flight"],
                    list.Breakers.Select(Row))));

        var trip = new Command("trip", "Open a deployment's circuit on the node: its calls fail over at once until the time is up, then it probes.");
        var tripId = Deployment();
        var span = new Option<string?>("--for") { Description = "How long it stays open: 30s, 5m, 2h (default: router.breaker.cooldown)." };
        span.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !Durations.TryParse(text, out _))
                result.AddError($"--for '{text}' is not a duration such as 30s, 5m or 2h.");
        });
        trip.Arguments.Add(tripId);
        trip.Options.Add(span);
        node.Add(palette, trip, (call, ct) =>
        {
            var body = new JsonObject { ["deployment"] = call.Get(tripId) };
            if (call.Get(span) is { } text) body["for"] = text;
            return ChangedAsync(call, call.Client.PostAsync("admin/breakers/trip", body, ct));
        });

        var reset = new Command("reset", "Close a deployment's circuit on the node and forget its failures.");
        var resetId = Deployment();
        reset.Arguments.Add(resetId);
        node.Add(palette, reset, (call, ct) =>
            ChangedAsync(call, call.Client.PostAsync("admin/breakers/reset", new JsonObject { ["deployment"] = call.Get(resetId) }, ct)));
        return palette;
    }

    private static Argument<string> Deployment() => new("deployment") { Description = "The deployment id, as `router breakers list` shows it (provider:model)." };

    private static Task ChangedAsync(NodeCall call, Task<string> answer) =>
        call.PrintAsync(answer, AdminJsonContext.Default.BreakerActionResult, result =>
            CliOutput.Table($"{(result.Action == "trip" ? "Tripped" : "Reset")} on {result.Node} only",
                ["deployment", "model", "provider", "circuit", "open until", "failures in a row", "failure rate", "latency ms", "in flight"],
                [Row(result.Breaker)]));

    private static IReadOnlyList<string> Row(DeploymentHealthCard card) =>
    [
        card.Id, card.Model, card.Provider, card.Circuit, CliOutput.Time(card.OpenUntil),
        card.ConsecutiveFailures.ToString(CultureInfo.InvariantCulture),
        card.CallsInWindow == 0 ? "-" : $"{card.FailureRate:P0} of {card.CallsInWindow}",
        card.LatencyEwmaMs == 0 ? "-" : card.LatencyEwmaMs.ToString("0.#", CultureInfo.InvariantCulture),
        card.InFlight.ToString(CultureInfo.InvariantCulture),
    ];
}
