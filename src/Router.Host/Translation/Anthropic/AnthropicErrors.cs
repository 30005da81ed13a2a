using System.Text.Json;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// Anthropic's error types and the HTTP status each stands for in a non-streamed answer
/// (https://docs.anthropic.com/en/api/errors); a streamed <c>error</c> event carries only the type.
/// </summary>
public static class AnthropicErrors
{
    /// <summary>The status of an error type; 502 for a type this table does not know.</summary>
    public static int Status(string? errorType) => errorType switch
    {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "api_error" => 500,
        "timeout_error" => 504,
        "overloaded_error" => 529,
        _ => 502,
    };

    /// <summary>The status of an <c>error</c> event's payload: <c>{"type":"error","error":{"type":…,"message":…}}</c>.</summary>
    public static int Status(JsonElement errorEvent) =>
        Status(errorEvent.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
               && error.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()
            : null);
}
