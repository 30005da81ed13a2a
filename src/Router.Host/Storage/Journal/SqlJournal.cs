using System.Collections.Immutable;
using System.Data;
using System.Data.Common;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Router.Host.Storage.Journal;

/// <summary>
/// The actors' event journal in the router's own database (<c>journal_events</c>), through the same
/// ADO.NET drivers as the rest of its storage, on SQLite and PostgreSQL alike. Each atomic write is one
/// transaction. Writes go one at a time, in the order they arrive: a key's events reach the table in
/// the order it persisted them, and SQLite takes one writer at a time anyway. Deleting events marks them
/// deleted and removes all but the newest, which keeps the key's highest sequence number.
/// </summary>
public sealed class SqlJournal : AsyncWriteJournal
{
    private readonly JournalTables _tables;
    private readonly SemaphoreSlim _oneWriter = new(1, 1);

    public SqlJournal(Config config) => _tables = JournalTables.FromConfig(config, Context.System);

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        var results = ImmutableList.CreateBuilder<Exception?>();
        await _oneWriter.WaitAsync(cancellationToken);
        try
        {
            foreach (var write in writes)
            {
                var events = (IImmutableList<IPersistentRepresentation>)write.Payload;
                results.Add(await _tables.RunAsync(connection => WriteAsync(connection, events, cancellationToken)));
            }
        }
        finally
        {
            _oneWriter.Release();
        }
        return results.ToImmutable();
    }

    /// <summary>
    /// One atomic write in one transaction: null when it was written, the reason when it was not. A
    /// single event (nearly every write: a key's usage) is one statement, atomic by itself, which saves
    /// PostgreSQL the round trips of BEGIN and COMMIT while an answer waits for its cost to be written.
    /// </summary>
    private async Task<Exception?> WriteAsync(DbConnection connection, IImmutableList<IPersistentRepresentation> events, CancellationToken cancellationToken)
    {
        // A payload that cannot be serialized rejects this write alone; the actor learns why and goes on.
        List<(IPersistentRepresentation Event, (int SerializerId, string Manifest, byte[] Bytes) Payload)> rows;
        try
        {
            rows = events.Select(e => (e, _tables.Serialize(e.Payload))).ToList();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e;
        }

        await using var transaction = rows.Count > 1 ? await connection.BeginTransactionAsync(cancellationToken) : null;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO journal_events (persistence_id, sequence_nr, written_at, manifest, serializer_id, serializer_manifest, payload, writer_uuid, deleted)
            VALUES (@persistence_id, @sequence_nr, @written_at, @manifest, @serializer_id, @serializer_manifest, @payload, @writer_uuid, 0)
            """;
        var persistenceId = command.AddParameter("@persistence_id", DbType.String);
        var sequenceNr = command.AddParameter("@sequence_nr", DbType.Int64);
        var writtenAt = command.AddParameter("@written_at", DbType.Int64);
        var manifest = command.AddParameter("@manifest", DbType.String);
        var serializerId = command.AddParameter("@serializer_id", DbType.Int32);
        var serializerManifest = command.AddParameter("@serializer_manifest", DbType.String);
        var payload = command.AddParameter("@payload", DbType.Binary);
        var writerUuid = command.AddParameter("@writer_uuid", DbType.String);
        var now = DateTime.UtcNow.Ticks;
        foreach (var (e, serialized) in rows)
        {
            persistenceId.Value = e.PersistenceId;
            sequenceNr.Value = e.SequenceNr;
            writtenAt.Value = e.Timestamp > 0 ? e.Timestamp : now;
            manifest.Value = e.Manifest ?? "";
            serializerId.Value = serialized.SerializerId;
            serializerManifest.Value = serialized.Manifest;
            payload.Value = serialized.Bytes;
            writerUuid.Value = e.WriterGuid ?? "";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        return null;
    }

    protected override async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        await _oneWriter.WaitAsync(cancellationToken);
        try
        {
            await _tables.RunAsync(async connection =>
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.AddParameter("@persistence_id", persistenceId);
                command.AddParameter("@to", toSequenceNr);
                command.CommandText = "UPDATE journal_events SET deleted = 1 WHERE persistence_id = @persistence_id AND sequence_nr <= @to";
                await command.ExecuteNonQueryAsync(cancellationToken);
                command.CommandText = """
                    DELETE FROM journal_events WHERE persistence_id = @persistence_id AND deleted = 1
                      AND sequence_nr < (SELECT MAX(sequence_nr) FROM journal_events WHERE persistence_id = @persistence_id)
                    """;
                await command.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return 0;
            });
        }
        finally
        {
            _oneWriter.Release();
        }
    }

    public override async Task ReplayMessagesAsync(
        IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        if (max <= 0) return;
        // Read to the end before the actor sees any of it: a read that fails half way is read again whole.
        var events = await _tables.RunAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT sequence_nr, written_at, manifest, serializer_id, serializer_manifest, payload, writer_uuid FROM journal_events
                WHERE persistence_id = @persistence_id AND sequence_nr >= @from AND sequence_nr <= @to AND deleted = 0
                ORDER BY sequence_nr LIMIT @max
                """;
            command.AddParameter("@persistence_id", persistenceId);
            command.AddParameter("@from", fromSequenceNr);
            command.AddParameter("@to", toSequenceNr);
            command.AddParameter("@max", max);
            await using var reader = await command.ExecuteReaderAsync();
            var read = new List<Persistent>();
            while (await reader.ReadAsync())
            {
                var payload = _tables.Deserialize((byte[])reader.GetValue(5), reader.GetInt32(3), reader.GetString(4));
                read.Add(new Persistent(payload, reader.GetInt64(0), persistenceId, reader.GetString(2), isDeleted: false,
                    ActorRefs.NoSender, reader.GetString(6), reader.GetInt64(1)));
            }
            return read;
        });
        foreach (var e in events) recoveryCallback(e);
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        return await _tables.RunAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            // Deleted events count: a sequence number is never handed out twice.
            command.CommandText = "SELECT MAX(sequence_nr) FROM journal_events WHERE persistence_id = @persistence_id";
            command.AddParameter("@persistence_id", persistenceId);
            return await command.ExecuteScalarAsync(cancellationToken) is { } highest and not DBNull ? Convert.ToInt64(highest) : 0L;
        });
    }

    protected override void PostStop()
    {
        _tables.Dispose();
        _oneWriter.Dispose();
        base.PostStop();
    }
}
