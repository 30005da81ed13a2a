using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Router.Host.Translation;

/// <summary>Writing translated JSON: one setting for every dialect, so text reaches clients as the provider wrote it.</summary>
public static class TranslationJson
{
    // Relaxed escaping keeps non-ASCII text and '<', '>' readable, as the providers themselves send them.
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes one JSON document and returns its bytes.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions)) write(json);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes one JSON document framed as a server-sent event: <c>data: {…}\n\n</c>.</summary>
    public static byte[] WriteEvent(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write("data: "u8);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions)) write(json);
        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}
