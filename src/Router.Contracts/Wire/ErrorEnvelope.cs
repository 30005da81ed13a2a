using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

/// <summary>OpenAI's error envelope, <c>{ "error": { ... } }</c>, with the router's debugging fields.</summary>
public sealed record ErrorEnvelope([property: JsonPropertyName("error")] ErrorBody Error);

public sealed record ErrorBody
{
    [JsonPropertyName("message")] public required string Message { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("code")] public string? Code { get; init; }
    [JsonPropertyName("param")] public string? Param { get; init; }

    /// <summary><c>router</c> when the router refused or failed, <c>provider</c> when the upstream did.</summary>
    [JsonPropertyName("origin")] public required string Origin { get; init; }
    [JsonPropertyName("provider")] public string? Provider { get; init; }
    [JsonPropertyName("deployment")] public string? Deployment { get; init; }
    [JsonPropertyName("upstream_status")] public int? UpstreamStatus { get; init; }

    /// <summary>The provider's own error body, unchanged (JSON as JSON, anything else as a string).</summary>
    [JsonPropertyName("upstream_body")] public JsonElement? UpstreamBody { get; init; }
    [JsonPropertyName("request_id")] public string? RequestId { get; init; }
}

public static class ErrorOrigin
{
    public const string Router = "router";
    public const string Provider = "provider";
}
