using System.Globalization;
using System.Text;
using System.Text.Json;
using Router.Host.Storage;
using Router.Host.Translation;

namespace Router.Host.Ingress.Responses;

/// <summary>A stored response: the object as it was answered, and the conversation up to and including it as input items.</summary>
public sealed record StoredResponse(string Json, IReadOnlyList<JsonElement> Conversation);

/// <summary>
/// The Responses answers the router made by translation, in its database (SQLite, or the pair's PostgreSQL so that either
/// node can continue one), each readable by the key that made it and no other until it expires.
/// </summary>
public sealed class ResponseStore(RouterStorage storage, TimeProvider clock, TimeSpan retention)
{
    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public async Task SaveAsync(string responseId, string keyId, string response, IReadOnlyList<JsonElement> conversation, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = storage.OpenConnection();
        await using var command = connection.CreateCommand();
        // Expired rows go as new ones come: no sweeper to run, and the index on expires_at keeps it cheap. A key that
        // reuses its own request id for a new response replaces the old one.
        command.CommandText = """
            DELETE FROM stored_responses WHERE expires_at < @now OR (response_id = @id AND key_id = @key);
            INSERT INTO stored_responses (response_id, key_id, expires_at, response, conversation) VALUES (@id, @key, @expires, @response, @conversation);
            """;
        command.AddParameter("@now", Time(now));
        command.AddParameter("@id", responseId);
        command.AddParameter("@key", keyId);
        command.AddParameter("@expires", Time(now + retention));
        command.AddParameter("@response", response);
        command.AddParameter("@conversation", Encoding.UTF8.GetString(TranslationJson.Write(json =>
        {
            json.WriteStartArray();
            foreach (var item in conversation) item.WriteTo(json);
            json.WriteEndArray();
        })));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The key's own unexpired response of this id; null for any other (another key's is as unknown as a missing one).</summary>
    public async Task<StoredResponse?> FindAsync(string responseId, string keyId, CancellationToken ct)
    {
        await using var connection = storage.OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT response, conversation FROM stored_responses WHERE response_id = @id AND key_id = @key AND expires_at >= @now";
        command.AddParameter("@id", responseId);
        command.AddParameter("@key", keyId);
        command.AddParameter("@now", Time(clock.GetUtcNow()));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        using var items = JsonDocument.Parse(reader.GetString(1));
        return new StoredResponse(reader.GetString(0), items.RootElement.EnumerateArray().Select(i => i.Clone()).ToList());
    }

    public async Task<bool> DeleteAsync(string responseId, string keyId, CancellationToken ct)
    {
        await using var connection = storage.OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM stored_responses WHERE response_id = @id AND key_id = @key";
        command.AddParameter("@id", responseId);
        command.AddParameter("@key", keyId);
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }
}
