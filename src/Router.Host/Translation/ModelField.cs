using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation;

/// <summary>
/// A body forwarded natively with the model the provider knows: the client's bytes with only the top-level
/// <c>model</c> value replaced, so field order, spacing and every field the router does not read reach the
/// provider as written. A request the router changed (no <see cref="ProxyRequest.Source"/>) is written anew.
/// </summary>
public static class ModelField
{
    public static byte[] Replace(ProxyRequest request, string upstreamModel)
    {
        if (request.Source is { } source && Splice(source.Span, upstreamModel) is { } spliced) return spliced;
        return ProxyRequestWriter.Write(request, upstreamModel, request.StreamOptions);
    }

    /// <summary>The body with its top-level model's value replaced; null when it has no single string <c>model</c>.</summary>
    public static byte[]? Splice(ReadOnlySpan<byte> body, string model)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        (int Start, int End)? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isModel = reader.ValueTextEquals("model"u8);
            reader.Read();
            // A second model field would leave it unclear which one the provider reads: write the body anew.
            if (isModel && (value is not null || reader.TokenType != JsonTokenType.String)) return null;
            if (isModel) value = ((int)reader.TokenStartIndex, (int)reader.BytesConsumed);
            reader.Skip();
        }
        if (value is not { } found) return null;
        var (start, end) = found;
        var replacement = TranslationJson.Write(json => json.WriteStringValue(model));
        return [.. body[..start], .. replacement, .. body[end..]];
    }
}
