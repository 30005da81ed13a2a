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

    // A buffer that grew past this for a long prompt goes back to the shared pool rather than stay with its thread.
    private const int KeptBufferBytes = 64 * 1024;

    /// <summary>
    /// A writer and its buffer, kept by the thread that last wrote with them: every request writes a body or two and a
    /// translated stream an event a chunk, and a writer and buffer writer made for each were about 170 bytes apiece (the
    /// buffer grows in arrays from the shared pool, as before). Taken while in use, so a write inside a write gets its own.
    /// </summary>
    private sealed class Writer
    {
        public readonly ArrayPoolBufferWriter<byte> Buffer = new(512);
        public readonly Utf8JsonWriter Json;

        public Writer() => Json = new Utf8JsonWriter(Buffer, WriterOptions);
    }

    [ThreadStatic] private static Writer? t_free;

    /// <summary>Writes one JSON document and returns its bytes, copied out once.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> write) => Write(write, static (json, w) => w(json));

    /// <summary>The same, for a writer that needs <paramref name="state"/> and no closure over it.</summary>
    public static byte[] Write<TState>(TState state, Action<Utf8JsonWriter, TState> write) => Write(""u8, state, write, ""u8);

    /// <summary>Writes one JSON document framed as a server-sent event: <c>data: {…}\n\n</c>.</summary>
    public static byte[] WriteEvent(Action<Utf8JsonWriter> write) => Write("data: "u8, write, static (json, w) => w(json), "\n\n"u8);

    private static byte[] Write<TState>(ReadOnlySpan<byte> before, TState state, Action<Utf8JsonWriter, TState> write, ReadOnlySpan<byte> after)
    {
        var writer = t_free ?? new Writer();
        t_free = null;
        try
        {
            writer.Buffer.Clear();
            writer.Buffer.Write(before);
            writer.Json.Reset(writer.Buffer);
            write(writer.Json, state);
            writer.Json.Flush();
            writer.Buffer.Write(after);
            return writer.Buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (writer.Buffer.Capacity <= KeptBufferBytes) t_free = writer;
            else writer.Buffer.Dispose();
        }
    }
}
