using Router.Contracts.Wire;

namespace Router.Host.Http;

/// <summary>
/// A request ended in an error that must reach the client as an OpenAI-style envelope with this
/// status. Thrown anywhere on the request path and written in one place.
/// </summary>
public sealed class RouterError(int status, ErrorBody body, TimeSpan? retryAfter = null) : Exception(body.Message)
{
    public int Status { get; } = status;
    public ErrorBody Body { get; } = body;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    private static RouterError Refusal(int status, string type, string code, string message, string? param = null) =>
        new(status, new ErrorBody { Message = message, Type = type, Code = code, Param = param, Origin = ErrorOrigin.Router });

    public static RouterError InvalidRequest(string message, string? param = null, string code = "invalid_request") =>
        Refusal(400, "invalid_request_error", code, message, param);

    public static RouterError MissingKey() =>
        Refusal(401, "authentication_error", "missing_api_key",
            "No API key was given. Send it as 'Authorization: Bearer <key>'.");

    public static RouterError InvalidKey() =>
        Refusal(401, "authentication_error", "invalid_api_key", "The API key is not valid for this router.");

    public static RouterError KeyDisabled(string message) =>
        Refusal(401, "authentication_error", "key_disabled", message);

    /// <summary>OpenAI's clients treat 400 as final and do not retry: right for a budget that is spent.</summary>
    public static RouterError BudgetExceeded(string message) =>
        Refusal(400, "budget_exceeded", "budget_exceeded", message);

    public static RouterError KeyRateLimited(string message, TimeSpan? retryAfter) =>
        new(429, new ErrorBody { Message = message, Type = "rate_limit_error", Code = "key_rate_limited", Origin = ErrorOrigin.Router },
            retryAfter);

    public static RouterError Forbidden(string message) =>
        Refusal(403, "permission_error", "forbidden", message);

    public static RouterError ModelNotAllowed(string message) =>
        Refusal(403, "permission_error", "model_not_allowed", message, "model");

    /// <summary>A key with a budget asked for a model no price covers: its spend could not be counted.</summary>
    public static RouterError ModelNotPriced(string model) =>
        Refusal(400, "invalid_request_error", "model_not_priced",
            $"The model '{model}' has no price, so its cost cannot be counted against this key's budget. The operator can price it "
            + $"in router.prices, or serve unpriced models to keys with a budget at no cost with router.pricing.unpriced = free.", "model");

    public static RouterError ModelNotFound(string model) =>
        Refusal(404, "not_found_error", "model_not_found",
            $"The model '{model}' is not routed by this router. GET /v1/models lists the models you may use.", "model");

    public static RouterError Internal() =>
        Refusal(500, "server_error", "router_internal_error",
            "The router failed while handling this request; its log has the details under this request id.");

    /// <summary>An envelope for a status the web stack chose itself, such as 405 for a wrong method.</summary>
    public static RouterError FromStatus(int status, string method, string path) => status switch
    {
        405 => Refusal(405, "invalid_request_error", "method_not_allowed", $"{method} is not allowed on {path}."),
        404 => NotFound(method, path),
        _ => Refusal(status, status >= 500 ? "server_error" : "invalid_request_error", $"http_{status}", $"{method} {path} failed with HTTP {status}."),
    };

    public static RouterError NotFound(string method, string path) =>
        Refusal(404, "not_found_error", "unknown_url", $"The router has no endpoint {method} {path}.");

    /// <summary>A stored object (a Responses answer) that is not there for this key: missing, expired, deleted or another key's.</summary>
    public static RouterError ObjectNotFound(string message, string param) =>
        Refusal(404, "invalid_request_error", "not_found", message, param);

    public static RouterError BodyTooLarge(long limit) =>
        Refusal(413, "invalid_request_error", "request_too_large",
            $"The request body is larger than this router accepts ({limit} bytes; router.max-request-body-bytes).");

    /// <summary>A body the client did not send whole or in time (Kestrel's status and words: 400, or 408 for one too slow).</summary>
    public static RouterError BrokenBody(int status, string cause) =>
        Refusal(status, "invalid_request_error", "invalid_body", $"The request body could not be read: {cause}");

    public static RouterError Unavailable(string message, string code, TimeSpan? retryAfter = null, string? deployment = null) =>
        new(503, new ErrorBody
        {
            Message = message, Type = "service_unavailable", Code = code, Origin = ErrorOrigin.Router, Deployment = deployment,
        }, retryAfter);

    /// <summary>The router could not get an answer from the provider: 502 when unreachable, 504 when too slow.</summary>
    public static RouterError UpstreamUnreachable(int status, string provider, string deployment, string cause) =>
        new(status, new ErrorBody
        {
            Message = cause,
            Type = status == 504 ? "timeout_error" : "api_connection_error",
            Code = status == 504 ? "upstream_timeout" : "upstream_connection_error",
            Origin = ErrorOrigin.Router,
            Provider = provider,
            Deployment = deployment,
        });
}
