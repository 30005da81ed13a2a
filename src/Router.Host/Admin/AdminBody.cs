using System.Text.Json;
using Router.Host.Http;

namespace Router.Host.Admin;

/// <summary>The small JSON object an admin POST may carry (<c>{"address": …}</c>, <c>{"deployment": …, "for": "5m"}</c>), read strictly.</summary>
public sealed class AdminBody
{
    private readonly Dictionary<string, string> _fields;

    private AdminBody(Dictionary<string, string> fields) => _fields = fields;

    public static async Task<AdminBody> ReadAsync(HttpContext context)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (context.Request.ContentLength is 0 or null && !context.Request.Headers.ContainsKey("Transfer-Encoding")) return new AdminBody(fields);
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw RouterError.InvalidRequest("The body must be a JSON object.", code: "invalid_json");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Null) continue;
                fields[property.Name] = property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : throw Bad(property.Name, $"'{property.Name}' must be a string.");
            }
            return new AdminBody(fields);
        }
        catch (JsonException e)
        {
            throw RouterError.InvalidRequest($"The body is not valid JSON: {e.Message}", code: "invalid_json");
        }
    }

    public string? Optional(string name) => _fields.TryGetValue(name, out var value) && value.Trim() is { Length: > 0 } text ? text : null;

    public string Required(string name, string what) => Optional(name) ?? throw Bad(name, $"'{name}' is required: {what}.");

    public static RouterError Bad(string param, string message) => RouterError.InvalidRequest(message, param, "invalid_" + param);
}
