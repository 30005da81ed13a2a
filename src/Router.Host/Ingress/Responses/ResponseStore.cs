using System.Collections.Concurrent;
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
/// <para>
/// A response is kept off the request path (<see cref="Keep"/>): a database write with its sync to disk cost about a
/// millisecond at the median, and the client waits for nothing it needs. A read or delete of a response still being
/// written on this node waits for that write first, so a client that continues at once finds it.
/// </para>
/// </summary>
public sealed class ResponseStore(RouterStorage storage, TimeProvider clock, TimeSpan retention, ILogger<ResponseStore> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string ResponseId, string KeyId), Task> _writing = new();

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>
    /// Stores what <paramref name="build"/> makes of an answered response (null: nothing to keep) in the background. A
    /// failure is logged: the answer has left.
    /// </summary>
    public void Keep(string responseId, string keyId, Func<StoredResponse?> build)
    {
        var entry = (responseId, keyId);
        var write = Task.Run(async () =>
        {
            try
            {
                if (build() is { } response) await SaveAsync(responseId, keyId, response.Json, response.Conversation, CancellationToken.None);
            }
            catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
            {
                logger.LogWarning("Response {ResponseId} could not be stored: {Reason}", responseId, e.Message);
            }
        });
        _writing[entry] = write;
        _ = write.ContinueWith(_ => _writing.TryRemove(KeyValuePair.Create(entry, write)), TaskScheduler.Default);
    }

    private Task Written(string responseId, string keyId) =>
        _writing.TryGetValue((responseId, keyId), out var write) ? write : Task.CompletedTask;

    /// <summary>Responses answered just before the router stops are kept too.</summary>
    public async ValueTask DisposeAsync() => await Task.WhenAll(_writing.Values);

    public async Task SaveAsync(string responseId, string keyId, string response, IReadOnlyList<JsonElement> conversation, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = storage.OpenLogConnection();
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
        await Written(responseId, keyId);
        await using var connection = storage.OpenLogConnection();
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
        await Written(responseId, keyId);
        await using var connection = storage.OpenLogConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM stored_responses WHERE response_id = @id AND key_id = @key";
        command.AddParameter("@id", responseId);
        command.AddParameter("@key", keyId);
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }
}
