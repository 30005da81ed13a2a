using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

/// <summary>
/// A virtual key as the admin API shows it, in LiteLLM's field names. Every field is written, null or
/// not, as LiteLLM does, except <see cref="Key"/>: the secret, present only in the answers of
/// <c>/key/generate</c> and <c>/key/regenerate</c>.
/// </summary>
public sealed record VirtualKeyInfo
{
    [JsonPropertyName("key"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Key { get; init; }

    /// <summary>The key's stable id: what <c>/key/info</c>, <c>/key/update</c> and the others accept instead of the secret.</summary>
    [JsonPropertyName("key_id")] public required string KeyId { get; init; }

    /// <summary>LiteLLM's name for the key's stored identity (there a hash; here the key id).</summary>
    [JsonPropertyName("token")] public required string Token { get; init; }

    /// <summary>The secret's first characters, enough to tell keys apart.</summary>
    [JsonPropertyName("key_name")] public required string KeyName { get; init; }

    [JsonPropertyName("key_alias"), JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? KeyAlias { get; init; }

    /// <summary>Model names or globs; empty: every model.</summary>
    [JsonPropertyName("models")] public required IReadOnlyList<string> Models { get; init; }

    [JsonPropertyName("spend")] public decimal Spend { get; init; }

    /// <summary>
    /// The part of <see cref="Spend"/> the router counted itself: answers that ended early or came without
    /// the provider's usage (the request log marks each such row <c>estimated</c>).
    /// </summary>
    [JsonPropertyName("estimated_spend")] public decimal EstimatedSpend { get; init; }

    [JsonPropertyName("max_budget"), JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public decimal? MaxBudget { get; init; }

    [JsonPropertyName("budget_duration"), JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? BudgetDuration { get; init; }

    [JsonPropertyName("budget_reset_at"), JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset? BudgetResetAt { get; init; }

    /// <summary>What may still be spent in this budget period; null without a budget.</summary>
    [JsonPropertyName("remaining_budget"), JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public decimal? RemainingBudget { get; init; }

    [JsonPropertyName("expires"), JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset? Expires { get; init; }

    [JsonPropertyName("rpm_limit"), JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? RpmLimit { get; init; }

    [JsonPropertyName("tpm_limit"), JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? TpmLimit { get; init; }

    [JsonPropertyName("blocked")] public bool Blocked { get; init; }

    /// <summary>The caller's metadata object, as given; <c>{}</c> when none.</summary>
    [JsonPropertyName("metadata")] public JsonElement Metadata { get; init; }

    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Requests that used tokens.</summary>
    [JsonPropertyName("requests")] public long Requests { get; init; }

    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; init; }

    [JsonPropertyName("completion_tokens")] public long CompletionTokens { get; init; }
}

/// <summary><c>GET /key/info</c>: LiteLLM's <c>{ "key": ..., "info": { ... } }</c>, keyed by the key id.</summary>
public sealed record VirtualKeyInfoResponse(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("info")] VirtualKeyInfo Info);

/// <summary><c>GET /key/list</c>: the ids (LiteLLM's <c>keys</c>) and each key's info in <c>data</c>, one page at a time.</summary>
public sealed record VirtualKeyList(
    [property: JsonPropertyName("keys")] IReadOnlyList<string> Keys,
    [property: JsonPropertyName("data")] IReadOnlyList<VirtualKeyInfo> Data,
    [property: JsonPropertyName("total_count")] int TotalCount,
    [property: JsonPropertyName("current_page")] int CurrentPage,
    [property: JsonPropertyName("total_pages")] int TotalPages);

/// <summary><c>POST /key/delete</c>: the ids of the keys deleted.</summary>
public sealed record VirtualKeysDeleted([property: JsonPropertyName("deleted_keys")] IReadOnlyList<string> DeletedKeys);
