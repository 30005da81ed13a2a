using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Router.Host.RequestLog;

/// <summary>
/// How a request's tags are kept in the <c>tags</c> column: a JSON array of strings, which both databases can search
/// (<c>RouterStorage.JsonArrayContains</c>); NULL when the request had none.
/// </summary>
public static class TagsColumn
{
    /// <summary>What a request may carry (more is refused, not cut): enough to label it, not a place to store data.</summary>
    public const int MaxTags = 32;
    public const int MaxTagLength = 128;

    public static string? Write(IReadOnlyList<string> tags)
    {
        if (tags.Count == 0) return null;
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var tag in tags) json.WriteStringValue(tag);
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static IReadOnlyList<string> Read(string? column)
    {
        if (column is null) return [];
        using var document = JsonDocument.Parse(column);
        return document.RootElement.EnumerateArray().Select(tag => tag.GetString()!).ToList();
    }
}
