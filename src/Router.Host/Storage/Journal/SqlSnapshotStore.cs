using System.Data.Common;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Snapshot;

namespace Router.Host.Storage.Journal;

/// <summary>
/// The actors' snapshots in the router's own database (<c>journal_snapshots</c>), beside
/// <see cref="SqlJournal"/>'s events. One snapshot per actor and sequence number; a later save of the
/// same one replaces it.
/// </summary>
public sealed class SqlSnapshotStore : SnapshotStore
{
    private readonly JournalTables _tables;

    public SqlSnapshotStore(Config config) => _tables = JournalTables.FromConfig(config, Context.System);

    protected override async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        return await _tables.RunAsync<SelectedSnapshot?>(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT sequence_nr, taken_at, serializer_id, serializer_manifest, payload FROM journal_snapshots
                WHERE {Matching} ORDER BY sequence_nr DESC LIMIT 1
                """;
            AddCriteria(command, persistenceId, criteria);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return null;
            var snapshot = _tables.Deserialize((byte[])reader.GetValue(4), reader.GetInt32(2), reader.GetString(3));
            var metadata = new SnapshotMetadata(persistenceId, reader.GetInt64(0), new DateTime(reader.GetInt64(1), DateTimeKind.Utc));
            return new SelectedSnapshot(metadata, snapshot);
        });
    }

    protected override async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        var (serializerId, manifest, bytes) = _tables.Serialize(snapshot);
        await _tables.RunAsync(async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.AddParameter("@persistence_id", metadata.PersistenceId);
            command.AddParameter("@sequence_nr", metadata.SequenceNr);
            command.CommandText = "DELETE FROM journal_snapshots WHERE persistence_id = @persistence_id AND sequence_nr = @sequence_nr";
            await command.ExecuteNonQueryAsync(cancellationToken);
            command.AddParameter("@taken_at", metadata.Timestamp.ToUniversalTime().Ticks);
            command.AddParameter("@serializer_id", serializerId);
            command.AddParameter("@serializer_manifest", manifest);
            command.AddParameter("@payload", bytes);
            command.CommandText = """
                INSERT INTO journal_snapshots (persistence_id, sequence_nr, taken_at, serializer_id, serializer_manifest, payload)
                VALUES (@persistence_id, @sequence_nr, @taken_at, @serializer_id, @serializer_manifest, @payload)
                """;
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return 0;
        });
    }

    protected override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken) => _tables.RunAsync(async connection =>
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM journal_snapshots WHERE persistence_id = @persistence_id AND sequence_nr = @sequence_nr";
        command.AddParameter("@persistence_id", metadata.PersistenceId);
        command.AddParameter("@sequence_nr", metadata.SequenceNr);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    });

    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken) => _tables.RunAsync(async connection =>
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM journal_snapshots WHERE {Matching}";
        AddCriteria(command, persistenceId, criteria);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    });

    private const string Matching = """
        persistence_id = @persistence_id AND sequence_nr >= @min_sequence_nr AND sequence_nr <= @max_sequence_nr
          AND taken_at >= @min_taken_at AND taken_at <= @max_taken_at
        """;

    private static void AddCriteria(DbCommand command, string persistenceId, SnapshotSelectionCriteria criteria)
    {
        command.AddParameter("@persistence_id", persistenceId);
        command.AddParameter("@min_sequence_nr", criteria.MinSequenceNr);
        command.AddParameter("@max_sequence_nr", criteria.MaxSequenceNr);
        command.AddParameter("@min_taken_at", Ticks(criteria.MinTimestamp ?? DateTime.MinValue));
        command.AddParameter("@max_taken_at", Ticks(criteria.MaxTimeStamp));
    }

    // Criteria come as local, UTC or unspecified times (MaxValue meaning "any"): ticks in UTC, extremes as they are.
    private static long Ticks(DateTime time) =>
        time == DateTime.MaxValue || time == DateTime.MinValue || time.Kind != DateTimeKind.Local ? time.Ticks : time.ToUniversalTime().Ticks;

    protected override void PostStop()
    {
        _tables.Dispose();
        base.PostStop();
    }
}
