using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData.Durable;
using Akka.Event;
using Akka.Serialization;
using Microsoft.Data.Sqlite;

namespace Router.Host.Cluster;

/// <summary>
/// Keeps this node's copy of the pair's durable distributed data (the key budgets' replica) in a SQLite file in
/// its data directory, so a node restarted while its peer or PostgreSQL is down still knows its keys.
/// <para>
/// Akka.DistributedData's own LMDB store cannot run here: Akka.DistributedData.LightningDB 1.5.73 calls the
/// LightningDB 0.16 API, and the package source serves LightningDB 0.23/0.24 only (it fails with
/// MissingMethodException on load). This speaks the same protocol to the replicator: <see cref="LoadAll"/> at start,
/// answered with the stored entries and <see cref="LoadAllCompleted"/>; then <see cref="Store"/>, written behind:
/// the latest value of each entry is written every <c>write-behind-interval</c> in one transaction, and when the
/// node stops.
/// </para>
/// </summary>
public sealed class SqliteReplicaStore : ReceiveActor, IWithTimers
{
    private readonly string _connectionString;
    private readonly TimeSpan _writeBehind;
    private readonly SerializerWithStringManifest _serializer;
    private readonly string _manifest;
    private readonly Dictionary<string, DurableDataEnvelope> _pending = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public SqliteReplicaStore(Config config)
    {
        var path = config.GetString("sqlite.path") ?? throw new ConfigurationException("durable.sqlite.path is not set");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        _writeBehind = config.GetTimeSpan("sqlite.write-behind-interval", TimeSpan.FromMilliseconds(100));
        _serializer = (SerializerWithStringManifest)Context.System.Serialization.FindSerializerForType(typeof(DurableDataEnvelope));
        _manifest = _serializer.Manifest(new DurableDataEnvelope(Akka.DistributedData.GCounter.Empty));

        Receive<LoadAll>(_ =>
        {
            try
            {
                var entries = LoadEntries();
                if (entries.Count > 0) Sender.Tell(new LoadData(entries));
                Sender.Tell(LoadAllCompleted.Instance);
                _log.Info("Loaded {0} replicated entries from {1}", entries.Count, path);
            }
            catch (Exception e) when (e is SqliteException or IOException)
            {
                throw new LoadFailedException($"could not load the replica from {path}", e);
            }
            Become(Storing);
        });
    }

    private void Storing()
    {
        Receive<Store>(store =>
        {
            if (_pending.Count == 0) Timers.StartSingleTimer(nameof(WriteBehind), WriteBehind.Instance, _writeBehind);
            _pending[store.Key] = store.Data;
            store.Reply?.ReplyTo.Tell(store.Reply.SuccessMessage);
        });
        Receive<WriteBehind>(_ => WritePending());
    }

    protected override void PostStop() => WritePending();

    private ImmutableDictionary<string, DurableDataEnvelope> LoadEntries()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, data FROM replica";
        using var reader = command.ExecuteReader();
        var entries = ImmutableDictionary.CreateBuilder<string, DurableDataEnvelope>();
        while (reader.Read())
            entries[reader.GetString(0)] = (DurableDataEnvelope)_serializer.FromBinary((byte[])reader[1], _manifest);
        return entries.ToImmutable();
    }

    private void WritePending()
    {
        if (_pending.Count == 0) return;
        try
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO replica (key, data) VALUES (@key, @data) ON CONFLICT (key) DO UPDATE SET data = excluded.data";
            var key = command.Parameters.Add("@key", SqliteType.Text);
            var data = command.Parameters.Add("@data", SqliteType.Blob);
            foreach (var (name, envelope) in _pending)
            {
                key.Value = name;
                data.Value = _serializer.ToBinary(envelope);
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        catch (Exception e) when (e is SqliteException or IOException)
        {
            // The peer still has these, and the next write takes the latest values again.
            _log.Error(e, "Could not write {0} replicated entries to this node's disk", _pending.Count);
        }
        _pending.Clear();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS replica (key TEXT PRIMARY KEY, data BLOB NOT NULL)";
        command.ExecuteNonQuery();
        return connection;
    }

    private sealed class WriteBehind : IDeadLetterSuppression
    {
        public static readonly WriteBehind Instance = new();
    }
}
