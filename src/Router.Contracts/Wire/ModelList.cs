using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

/// <summary><c>GET /v1/models</c> in OpenAI's shape.</summary>
public sealed record ModelList(
    [property: JsonPropertyName("data")] IReadOnlyList<ModelCard> Data)
{
    [JsonPropertyName("object")] public string Object => "list";
}

public sealed record ModelCard(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy)
{
    [JsonPropertyName("object")] public string Object => "model";
}
