using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

public sealed record HealthReport(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("checks")] IReadOnlyDictionary<string, string>? Checks = null);
