using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

/// <summary><c>GET /spend/logs</c>: a page of the request log, newest first.</summary>
public sealed record RequestLogPage(
    [property: JsonPropertyName("data")] IReadOnlyList<RequestLogRow> Data,
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("size")] int Size,
    // How many match: left out of a page asked by cursor, which reads only its rows (counting them all would cost every page).
    [property: JsonPropertyName("total")] long? Total,
    // Where the next (older) page starts: pass it as before= to read it; absent after the last page.
    [property: JsonPropertyName("next_before")] string? NextBefore = null);

/// <summary>One request of the log. Null fields are left out.</summary>
public sealed record RequestLogRow
{
    [JsonPropertyName("time")] public required string Time { get; init; }
    [JsonPropertyName("request_id")] public required string RequestId { get; init; }
    [JsonPropertyName("key_id")] public string? KeyId { get; init; }
    [JsonPropertyName("key_prefix")] public string? KeyPrefix { get; init; }
    [JsonPropertyName("key_alias")] public string? KeyAlias { get; init; }
    [JsonPropertyName("requested_model")] public string? RequestedModel { get; init; }
    [JsonPropertyName("routed_model")] public string? RoutedModel { get; init; }
    [JsonPropertyName("provider")] public string? Provider { get; init; }
    [JsonPropertyName("deployment")] public string? Deployment { get; init; }
    [JsonPropertyName("status")] public int Status { get; init; }
    [JsonPropertyName("upstream_status")] public int? UpstreamStatus { get; init; }
    [JsonPropertyName("error_origin")] public string? ErrorOrigin { get; init; }
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; init; }
    [JsonPropertyName("completion_tokens")] public long CompletionTokens { get; init; }
    [JsonPropertyName("cached_tokens")] public long CachedTokens { get; init; }
    [JsonPropertyName("cost")] public decimal Cost { get; init; }
    /// <summary>The tokens and cost were counted by the router: the provider reported no usage, or the answer ended early.</summary>
    [JsonPropertyName("estimated")] public bool Estimated { get; init; }
    [JsonPropertyName("cache_hit")] public bool CacheHit { get; init; }
    [JsonPropertyName("saved_cost")] public decimal SavedCost { get; init; }
    [JsonPropertyName("latency_ms")] public double LatencyMs { get; init; }
    [JsonPropertyName("ttft_ms")] public double? TtftMs { get; init; }
    [JsonPropertyName("overhead_ms")] public double OverheadMs { get; init; }
    [JsonPropertyName("attempts")] public int Attempts { get; init; }
    /// <summary>The provider's error body, as JSON.</summary>
    [JsonPropertyName("upstream_error")] public JsonElement? UpstreamError { get; init; }
    [JsonPropertyName("attempt_log")] public IReadOnlyList<RequestAttemptRow>? AttemptLog { get; init; }
    /// <summary>The client's <c>metadata</c> object (LiteLLM's: <c>trace_id</c>, <c>generation_name</c>, its own keys), as sent.</summary>
    [JsonPropertyName("metadata")] public JsonElement? Metadata { get; init; }
    /// <summary>The client's tags (<c>tags</c> and <c>metadata.tags</c>); empty when it sent none.</summary>
    [JsonPropertyName("tags")] public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>The request carried <c>mock_response</c>: the router answered it itself, no provider was called, cost 0.</summary>
    [JsonPropertyName("mocked")] public bool Mocked { get; init; }
}

public sealed record RequestAttemptRow(
    [property: JsonPropertyName("attempt")] int Attempt,
    [property: JsonPropertyName("provider")] string? Provider,
    [property: JsonPropertyName("deployment")] string? Deployment,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("upstream_status")] int? UpstreamStatus,
    [property: JsonPropertyName("latency_ms")] double LatencyMs,
    [property: JsonPropertyName("error_origin")] string? ErrorOrigin,
    [property: JsonPropertyName("verdict")] string Verdict);

/// <summary><c>GET /spend/report</c>: totals per group.</summary>
public sealed record SpendReport(
    [property: JsonPropertyName("group_by")] string GroupBy,
    [property: JsonPropertyName("from")] string? From,
    [property: JsonPropertyName("to")] string? To,
    [property: JsonPropertyName("data")] IReadOnlyList<SpendReportRow> Data);

public sealed record SpendReportRow(
    [property: JsonPropertyName("group")] string? Group,
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("prompt_tokens")] long PromptTokens,
    [property: JsonPropertyName("completion_tokens")] long CompletionTokens,
    [property: JsonPropertyName("cost")] decimal Cost,
    [property: JsonPropertyName("errors")] long Errors,
    [property: JsonPropertyName("cache_hits")] long CacheHits,
    [property: JsonPropertyName("saved_cost")] decimal SavedCost,
    [property: JsonPropertyName("p50_latency_ms")] double? P50LatencyMs);
