using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Providers;

/// <summary>
/// A provider's refusal, passed to the client with the provider's status and body unchanged, and the
/// message, type and code lifted to the top so OpenAI clients show the provider's own words.
/// </summary>
public static class ProviderErrors
{
    /// <param name="retryAfter">The provider's <c>Retry-After</c>, passed on to the client with the error.</param>
    public static RouterError FromResponse(int status, byte[] body, string provider, string deployment, TimeSpan? retryAfter = null)
    {
        var upstream = AsJson(body);
        return new RouterError(status, Describe(upstream, status, provider, deployment) with { UpstreamBody = upstream }, retryAfter);
    }

    public static ErrorBody Describe(JsonElement upstream, int status, string provider, string deployment)
    {
        var error = upstream.ValueKind == JsonValueKind.Object && upstream.TryGetProperty("error", out var e) ? e : upstream;
        return new ErrorBody
        {
            Message = FirstNonBlank(Text(error, "message"), error.ValueKind == JsonValueKind.String ? error.GetString() : null,
                Text(upstream, "message")) ?? $"Provider '{provider}' answered HTTP {status}.",
            Type = Text(error, "type") ?? TypeFor(status),
            // Gemini (Google APIs) puts the HTTP status in "code" and its own word for it in "status".
            Code = TextOnly(error, "code") ?? TextOnly(error, "status") ?? Text(error, "code"),
            Param = Text(error, "param"),
            Origin = ErrorOrigin.Provider,
            Provider = provider,
            Deployment = deployment,
            UpstreamStatus = status,
        };
    }

    private static JsonElement AsJson(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(body), WireJsonContext.Wire.String);
        }
    }

    private static string? FirstNonBlank(params string?[] candidates) =>
        candidates.FirstOrDefault(c => !string.IsNullOrWhiteSpace(c));

    private static string? Text(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    private static string? TextOnly(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string TypeFor(int status) => status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };
}
