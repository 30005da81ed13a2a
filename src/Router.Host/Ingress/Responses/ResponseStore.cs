using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Storage;
using Router.Host.Translation;

namespace Router.Host.Ingress.Responses;

/// <summary>A stored response: the object as it was answered, and the conversation up to and including it as input items.</summary>
public sealed record StoredResponse(string Json, IReadOnlyList<JsonElement> Conversation);

/// <summary>
/// The Responses answers the router made by translation, in its database (SQLite, or the pair's PostgreSQL so that either
/// node can continue one), each readable by the key that made it and no other until it expires.
/// <para>
/// A response is kept off the request path (<see cref="Keep"/>): a database write with its sync to disk cost about a
/// millisecond at the median, and the client waits for nothing it needs. One writer at a time takes every response
/// waiting and writes them in one transaction, so writes never pile up on threads waiting for the database's lock. A
/// read or delete of a response still being written on this node waits for that write first, so a client that
/// continues at once finds it.
/// </para>
/// </summary>
public sealed class ResponseStore(RouterStorage storage, TimeProvider clock, TimeSpan retention, ILogger<ResponseStore> logger) : IAsyncDisposable
{
    private const int MostPerTransaction = 256;

    private sealed record Waiting(string ResponseId, string KeyId, Func<StoredResponse?> Build, TaskCompletionSource Written);

    private readonly ConcurrentDictionary<(string ResponseId, string KeyId), Task> _writing = new();
    private readonly ConcurrentQueue<Waiting> _waiting = new();
    private readonly SemaphoreSlim _writer = new(1, 1);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>
    /// Stores what <paramref name="build"/> makes of an answered response (null: nothing to keep) in the background. A
    /// failure is logged: the answer has left.
    /// </summary>
    public void Keep(string responseId, string keyId, Func<StoredResponse?> build)
    {
        var entry = (responseId, keyId);
        var waiting = new Waiting(responseId, keyId, build, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var written = waiting.Written.Task;
        _writing[entry] = written;
        _ = written.ContinueWith(_ => _writing.TryRemove(KeyValuePair.Create(entry, written)), TaskScheduler.Default);
        _waiting.Enqueue(waiting);
        _ = Task.Run(WriteWaitingAsync);
    }

    /// <summary>Writes what waits unless another writer is at it; that one looks again after it lets go, so nothing is left behind.</summary>
    private async Task WriteWaitingAsync()
    {
        while (!_waiting.IsEmpty && await _writer.WaitAsync(0))
        {
            try
            {
                await WriteBatchAsync();
            }
            finally
            {
                _writer.Release();
            }
        }
    }

    private async Task WriteBatchAsync()
    {
        var batch = new List<Waiting>();
        while (batch.Count < MostPerTransaction && _waiting.TryDequeue(out var next)) batch.Add(next);
        try
        {
            var responses = new List<(Waiting Waiting, StoredResponse Response)>();
            foreach (var waiting in batch)
                if (waiting.Build() is { } response) responses.Add((waiting, response));
            if (responses.Count == 0) return;
            await using var connection = storage.OpenLogConnection();
            await using var transaction = await connection.BeginTransactionAsync();
            foreach (var (waiting, response) in responses)
                await SaveAsync(connection, transaction, waiting.ResponseId, waiting.KeyId, response.Json, response.Conversation, CancellationToken.None);
            await transaction.CommitAsync();
        }
        catch (Exception e) when (RouterStorage.IsDatabaseFailure(e) || e is JsonException)
        {
            logger.LogWarning("{Count} responses could not be stored: {Reason}", batch.Count, e.Message);
        }
        finally
        {
            foreach (var waiting in batch) waiting.Written.TrySetResult();
        }
    }

    private Task Written(string responseId, string keyId) =>
        _writing.TryGetValue((responseId, keyId), out var write) ? write : Task.CompletedTask;

    /// <summary>Responses answered just before the router stops are kept too.</summary>
    public async ValueTask DisposeAsync() => await Task.WhenAll(_writing.Values);

    public async Task SaveAsync(string responseId, string keyId, string response, IReadOnlyList<JsonElement> conversation, CancellationToken ct)
    {
        await using var connection = storage.OpenLogConnection();
        await SaveAsync(connection, null, responseId, keyId, response, conversation, ct);
    }

    private async Task SaveAsync(DbConnection connection, DbTransaction? transaction, string responseId, string keyId, string response,
        IReadOnlyList<JsonElement> conversation, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
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
            foreach (var item in conversation) item.WriteAsWritten(json);
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
