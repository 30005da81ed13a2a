using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

/// <summary>
/// (De)serialises a <see cref="JsonElement"/> as the default converter does, but writes it as the bytes it was read from
/// (<see cref="RawJson"/>): the fields of a request the router does not type reach the provider as the client wrote them.
/// </summary>
public sealed class RawJsonElementConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonElement.ParseValue(ref reader);

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) =>
        value.WriteAsWritten(writer);
}
