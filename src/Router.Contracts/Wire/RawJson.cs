using System.Runtime.InteropServices;
using System.Text.Json;

namespace Router.Contracts.Wire;

/// <summary>
/// Writes a parsed value as the bytes it was read from. <see cref="JsonElement.WriteTo"/> unescapes every string of the
/// value and escapes it again: a pass over each message of a long conversation for every attempt, and text the router
/// re-encoded rather than the client's own. An element always comes from a parsed document (no comments, no trailing
/// commas: the router's readers refuse both), so its bytes are valid JSON as they stand.
/// </summary>
public static class RawJson
{
    public static void WriteAsWritten(this JsonElement value, Utf8JsonWriter writer)
    {
        // An undefined element has no bytes: WriteTo throws for it, as it always did.
        if (value.ValueKind == JsonValueKind.Undefined) value.WriteTo(writer);
        else writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);
    }

    public static void WriteAsWritten(this JsonProperty property, Utf8JsonWriter writer)
    {
        writer.WritePropertyName(property.Name);
        property.Value.WriteAsWritten(writer);
    }
}
