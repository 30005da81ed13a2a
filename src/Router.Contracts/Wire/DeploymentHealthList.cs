using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

/// <summary><c>GET /health/deployments</c>: every deployment as this node sees it.</summary>
public sealed record DeploymentHealthList([property: JsonPropertyName("deployments")] IReadOnlyList<DeploymentHealthCard> Deployments);

/// <param name="Circuit">closed, open or half_open.</param>
/// <param name="OpenUntil">While open: when a probe may go through (ISO 8601, UTC).</param>
/// <param name="Priced">Whether its calls have a price (a key with a budget is refused a model without one, unless
/// <c>router.pricing.unpriced = free</c>); absent for a pattern whose models are priced one by one (each model it has served has its own card).</param>
public sealed record DeploymentHealthCard(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("weight")] int Weight,
    [property: JsonPropertyName("strategy")] string Strategy,
    [property: JsonPropertyName("circuit")] string Circuit,
    [property: JsonPropertyName("open_until")] DateTimeOffset? OpenUntil,
    [property: JsonPropertyName("consecutive_failures")] int ConsecutiveFailures,
    [property: JsonPropertyName("calls_in_window")] int CallsInWindow,
    [property: JsonPropertyName("failure_rate")] double FailureRate,
    [property: JsonPropertyName("latency_ewma_ms")] double LatencyEwmaMs,
    [property: JsonPropertyName("in_flight")] int InFlight,
    [property: JsonPropertyName("priced")] bool? Priced = null);
