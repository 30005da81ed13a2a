using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

/// <summary>
/// <c>GET /admin/cluster</c>: the members as the answering node sees them. A single node (no
/// <c>router.cluster</c>) is a cluster of one: itself, up, <see cref="Clustered"/> false.
/// </summary>
/// <param name="Node">The answering node: its cluster address, or its HTTP address when it runs alone.</param>
public sealed record ClusterView(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("clustered")] bool Clustered,
    [property: JsonPropertyName("leader")] string? Leader,
    [property: JsonPropertyName("members")] IReadOnlyList<ClusterMemberView> Members);

/// <param name="Status">joining, weakly_up, up, leaving, exiting, down or removed.</param>
/// <param name="Reachable">Whether the answering node (and, as far as it knows, every other) reaches it.</param>
public sealed record ClusterMemberView(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("reachable")] bool Reachable,
    [property: JsonPropertyName("leader")] bool Leader,
    [property: JsonPropertyName("self")] bool Self);

/// <summary>
/// One line of <c>GET /admin/cluster/events</c> (server-sent events): a membership, reachability or
/// leadership change seen by the answering node. The stream opens with the current state as events.
/// </summary>
/// <param name="Event">member_joined, member_weakly_up, member_up, member_left, member_exited, member_downed,
/// member_removed, unreachable, reachable or leader_changed.</param>
/// <param name="Address">The member concerned (the new leader for leader_changed; null when there is none).</param>
/// <param name="Status">The member's status after the change.</param>
public sealed record ClusterEventView(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("address")] string? Address,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("roles")] IReadOnlyList<string>? Roles);

/// <summary>What <c>POST /admin/cluster/leave|down|join|down-unreachable</c> asked of the cluster.</summary>
/// <param name="Action">leave, down, join or down-unreachable.</param>
/// <param name="Addresses">The members it was asked for (none for down-unreachable when every member is reachable).</param>
public sealed record ClusterActionResult(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("addresses")] IReadOnlyList<string> Addresses);
