using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

/// <summary><c>GET /admin/breakers</c>: every deployment's circuit on the answering node (breakers are per node).</summary>
public sealed record BreakerListView(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("breakers")] IReadOnlyList<DeploymentHealthCard> Breakers);

/// <summary><c>POST /admin/breakers/trip|reset</c>: the circuit after the change, on the answering node only.</summary>
/// <param name="Action">trip or reset.</param>
public sealed record BreakerActionResult(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("breaker")] DeploymentHealthCard Breaker);

/// <summary>
/// <c>GET /admin/cache</c>: the response cache of the answering node. Entries and bytes are known for the
/// in-memory store; Redis is shared by the pair and not counted (null). Hits, misses and bypasses are this
/// node's since it started, null when <c>router.metrics</c> is off (they are counted there).
/// </summary>
/// <param name="Store">memory or redis.</param>
/// <param name="Health">ok or degraded.</param>
public sealed record CacheStatsView(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("store")] string Store,
    [property: JsonPropertyName("health")] string Health,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("entries")] long? Entries,
    [property: JsonPropertyName("bytes")] long? Bytes,
    [property: JsonPropertyName("max_bytes")] long? MaxBytes,
    [property: JsonPropertyName("hits")] long? Hits,
    [property: JsonPropertyName("misses")] long? Misses,
    [property: JsonPropertyName("bypasses")] long? Bypasses,
    [property: JsonPropertyName("saved_cost")] decimal? SavedCost);

/// <summary><c>GET /admin/log</c>: the last lines the answering node logged, oldest first.</summary>
/// <param name="Capacity">How many lines the node keeps.</param>
public sealed record LogPeekView(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("capacity")] int Capacity,
    [property: JsonPropertyName("lines")] IReadOnlyList<LogLineView> Lines);

/// <param name="Level">trace, debug, information, warning, error or critical.</param>
/// <param name="Message">The formatted message, and the exception's type and message when one was logged.</param>
public sealed record LogLineView(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("message")] string Message);
