using System.Data.Common;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Router.Host.Configuration;

namespace Router.Host.Storage;

/// <summary>
/// The single node's SQLite databases in the data directory: <c>router.db</c> holds the actors' journal and
/// snapshots and the key directory; <c>requests.db</c> the request log, with <c>router.db</c> attached as
/// <c>keys</c>.
/// </summary>
public sealed class SqliteStorage(string dataDir) : RouterStorage
{
    public string DatabasePath { get; } = Path.Combine(dataDir, "router.db");

    public string LogDatabasePath => Path.Combine(Path.GetDirectoryName(DatabasePath)!, "requests.db");

    public string ConnectionString => new SqliteConnectionStringBuilder
    {
        DataSource = DatabasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Shared,
    }.ToString();

    public override string KeysTable => "keys.virtual_keys";

    public static string Describe(string dataDir) => $"SQLite in {dataDir}";

    protected override string JournalStorage => "sqlite";

    protected override string JournalLocation => dataDir;

    /// <summary>
    /// Puts the databases in write-ahead-log mode (a property of the file, so it holds for every later
    /// connection): a journal commit appends to the log instead of rewriting pages under a rollback journal.
    /// </summary>
    public override void Prepare()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
        command.CommandText = StorageSchema.VirtualKeys(timeText: "TEXT") + StorageSchema.Journal(blob: "BLOB");
        command.ExecuteNonQuery();

        // The request log has a file of its own: SQLite lets one transaction write a file at a time, and
        // the log's batches must not hold up the journal's writes (or the other way round).
        using var log = OpenLogConnection(attachKeys: false);
        using var logCommand = log.CreateCommand();
        logCommand.CommandText = "PRAGMA journal_mode=WAL;";
        logCommand.ExecuteNonQuery();
        logCommand.CommandText = StorageSchema.RequestLog(real: "REAL", timeText: "TEXT");
        logCommand.ExecuteNonQuery();
    }

    public override DbConnection OpenLogConnection() => OpenLogConnection(attachKeys: true);

    /// <summary>
    /// A connection to the request log's database, with the router's database attached as <c>keys</c>
    /// (for a key's alias at the time a row is written).
    /// </summary>
    public SqliteConnection OpenLogConnection(bool attachKeys)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = LogDatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
        }.ToString());
        connection.Open();
        if (!attachKeys) return connection;
        using var attach = connection.CreateCommand();
        // Connections are pooled: one that comes back from the pool has it attached already.
        attach.CommandText = "SELECT COUNT(*) FROM pragma_database_list WHERE name = 'keys'";
        if ((long)attach.ExecuteScalar()! > 0) return connection;
        attach.CommandText = $"ATTACH DATABASE '{DatabasePath.Replace("'", "''", StringComparison.Ordinal)}' AS keys;";
        attach.ExecuteNonQuery();
        return connection;
    }

    public override DbConnection OpenConnection()
    {
        var connection = CreateConnection();
        connection.Open();
        return connection;
    }

    protected override DbConnection CreateConnection() => new SqliteConnection(ConnectionString);

    public override bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: 19 }; // SQLITE_CONSTRAINT
}
