using System.Globalization;
using System.Text.Json;

namespace Router.Host.Auth;

/// <summary>
/// The key directory's index kept in the data directory, so that a node started while its database does not
/// answer still finds the keys it knew. It holds hashes, display prefixes and aliases, never a secret; still,
/// only the router's user may read it (mode 0600), as with <c>master.key</c>. Written to a temporary file and
/// renamed over the old one, so a crash mid-write leaves the previous index, never half of one.
/// </summary>
public sealed class KeyIndexFile(string path)
{
    public const string FileName = "key-index.json";

    public string Path { get; } = path;

    public static KeyIndexFile InDataDir(string dataDir) => new(System.IO.Path.Combine(dataDir, FileName));

    public void Write(IEnumerable<KeyEntry> entries)
    {
        var temporary = Path + ".tmp";
        // A leftover from a crash would keep its own mode; a new file gets 0600 from its creation on.
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteStartArray("keys");
                foreach (var entry in entries.OrderBy(e => e.KeyId, StringComparer.Ordinal))
                {
                    json.WriteStartObject();
                    json.WriteString("key_id", entry.KeyId);
                    json.WriteString("secret_hash", entry.SecretHash);
                    json.WriteString("display_prefix", entry.DisplayPrefix);
                    json.WriteString("alias", entry.Alias);
                    json.WriteString("created_at", entry.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            // On disk before the rename makes it the index: a power cut must not leave an empty file in its place.
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>The entries written last; null when there is no file. Throws <see cref="InvalidDataException"/> when it is not one of ours.</summary>
    public IReadOnlyList<KeyEntry>? Read()
    {
        if (!File.Exists(Path)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path));
            return document.RootElement.GetProperty("keys").EnumerateArray().Select(key => new KeyEntry(
                    Text(key, "key_id"), Text(key, "secret_hash"), Text(key, "display_prefix"),
                    key.GetProperty("alias").GetString(),
                    DateTimeOffset.Parse(Text(key, "created_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)))
                .ToList();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{Path} is not a key index: {e.Message}", e);
        }
    }

    private static string Text(JsonElement key, string name) =>
        key.GetProperty(name).GetString() ?? throw new InvalidDataException($"'{name}' is null");
}
