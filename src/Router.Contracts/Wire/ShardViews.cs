using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

/// <summary>
/// <c>GET /admin/shards</c>: the key budget region on every node, its shards and how many key budget
/// actors each runs. A single node has one region, its own.
/// </summary>
public sealed record ShardStatsView(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("region")] string Region,
    [property: JsonPropertyName("regions")] IReadOnlyList<ShardRegionView> Regions);

/// <param name="Address">The node the region runs on.</param>
/// <param name="Failed">Shards that did not answer in time (their counts are missing).</param>
public sealed record ShardRegionView(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("shards")] int Shards,
    [property: JsonPropertyName("entities")] int Entities,
    [property: JsonPropertyName("shard_entities")] IReadOnlyDictionary<string, int> ShardEntities,
    [property: JsonPropertyName("failed")] IReadOnlyList<string> Failed);

/// <summary>
/// <c>GET /admin/shards/locate?key=</c>: where a key's budget actor lives. The shard follows from the key id
/// alone; the node is the one its shard is allocated to, none while no request has woken any key of it.
/// </summary>
/// <param name="Address">The node hosting the shard; null when it is not allocated.</param>
/// <param name="EntityRunning">Whether the key's actor is running there now (it stops when idle and starts on the next request).</param>
public sealed record ShardLocation(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("region")] string Region,
    [property: JsonPropertyName("key_id")] string KeyId,
    [property: JsonPropertyName("shard")] string Shard,
    [property: JsonPropertyName("address")] string? Address,
    [property: JsonPropertyName("entity_running")] bool EntityRunning);
