using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using CommunityToolkit.HighPerformance.Buffers;

namespace Router.Host.Translation;

/// <summary>Writing translated JSON: one setting for every dialect, so text reaches clients as the provider wrote it.</summary>
public static class TranslationJson
{
    // Relaxed escaping keeps non-ASCII text and '<', '>' readable, as the providers themselves send them.
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes one JSON document and returns its bytes. It grows in buffers from the shared pool and is copied out once: a
    /// growing array of its own left each size it passed through behind (about twice a long prompt's bytes of garbage).
    /// </summary>
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new ArrayPoolBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions)) write(json);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes one JSON document framed as a server-sent event: <c>data: {…}\n\n</c>.</summary>
    public static byte[] WriteEvent(Action<Utf8JsonWriter> write)
    {
        using var buffer = new ArrayPoolBufferWriter<byte>(256);
        buffer.Write("data: "u8);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions)) write(json);
        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}
