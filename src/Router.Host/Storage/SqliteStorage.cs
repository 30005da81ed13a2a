using System.Data.Common;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Router.Contracts.Configuration;


namespace Router.Host.Storage;

/// <summary>
/// The single node's SQLite databases in the data directory: <c>router.db</c> holds the actors' journal and
/// snapshots and the key directory; <c>requests.db</c> the request log and the stored Responses answers.
/// </summary>
public sealed class SqliteStorage(string dataDir) : RouterStorage
{
    public string DatabasePath { get; } = Path.Combine(dataDir, "router.db");

    public string LogDatabasePath => Path.Combine(Path.GetDirectoryName(DatabasePath)!, "requests.db");

    public string ConnectionString => new SqliteConnectionStringBuilder
    {
        DataSource = DatabasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
    }.ToString();

    public static string Describe(string dataDir) => $"SQLite in {dataDir}";

    public override Config PersistenceConfig()
    {
        var quoted = HoconQuoting.Quote(ConnectionString);
        return ConfigurationFactory.ParseString($$"""
            akka.persistence.journal.sql.connection-string = {{quoted}}
            akka.persistence.snapshot-store.sql.connection-string = {{quoted}}
            """);
    }

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
        command.CommandText = StorageSchema.VirtualKeys(timeText: "TEXT");
        command.ExecuteNonQuery();

        // The request log (and the Responses answers kept for clients) has a file of its own: SQLite lets one
        // transaction write a file at a time, and those writes must not hold up the journal's (or the other way round).
        using var log = OpenLogConnection();
        using var logCommand = log.CreateCommand();
        logCommand.CommandText = "PRAGMA journal_mode=WAL;";
        logCommand.ExecuteNonQuery();
        logCommand.CommandText = StorageSchema.RequestLog(real: "REAL", timeText: "TEXT") + StorageSchema.StoredResponses(timeText: "TEXT")
                                 + StorageSchema.RequestRollups(real: "REAL", timeText: "TEXT", rowOptions: " WITHOUT ROWID")
                                 + StorageSchema.RequestTags(timeText: "TEXT", rowOptions: " WITHOUT ROWID");
        logCommand.ExecuteNonQuery();
        using (var upgrade = log.BeginTransaction())
        {
            logCommand.Transaction = upgrade;
            RollupSchemaUpgrade.Run(logCommand, real: "REAL", timeText: "TEXT", rowOptions: " WITHOUT ROWID",
                (table, column) => $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'");
            upgrade.Commit();
            logCommand.Transaction = null;
        }
        foreach (var (name, definition) in StorageSchema.AddedRequestColumns)
        {
            logCommand.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('requests') WHERE name = '{name}'";
            if ((long)logCommand.ExecuteScalar()! > 0) continue;
            logCommand.CommandText = $"ALTER TABLE requests ADD COLUMN {name} {definition}";
            logCommand.ExecuteNonQuery();
        }
        logCommand.CommandText = StorageSchema.RequestLogIndexes(rowIdTail: "");
        logCommand.ExecuteNonQuery();
        RequestLogValuesFill.FillIfEmpty(logCommand);
        RequestTagsFill.FillOnce(logCommand, "json_each(requests.tags) AS element", RequestRowId);
        RequestLogKeysFill.FillOnce(logCommand);
    }

    public override DbConnection OpenLogConnection()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = LogDatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
        }.ToString());
        connection.Open();
        return connection;
    }

    public override DbConnection OpenConnection()
    {
        var connection = CreateConnection();
        connection.Open();
        return connection;
    }

    protected override DbConnection CreateConnection() => new SqliteConnection(ConnectionString);

    public override string JsonArrayContains(string column, string parameter) =>
        $"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {parameter})";

    // SQLite's own row id; every index ends with it, so an index on (column, time) also orders by (time, rowid).
    public override string RequestRowId => "rowid";

    public override bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: 19 }; // SQLITE_CONSTRAINT
}
