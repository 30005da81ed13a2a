using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Router.Host.Configuration;

namespace Router.Host.Storage;

/// <summary>
/// The single node's SQLite database in the data directory: the actors' journal and snapshots, and the
/// directory of virtual keys (<c>virtual_keys</c>: id, secret hash, display prefix, alias; never a secret),
/// and the request log (<c>requests</c>, <c>request_attempts</c>: see <c>RequestLogWriter</c>).
/// </summary>
public sealed class EmbeddedStorage(string dataDir)
{
    public string DatabasePath { get; } = Path.Combine(dataDir, "router.db");

    public string ConnectionString => new SqliteConnectionStringBuilder
    {
        DataSource = DatabasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Shared,
    }.ToString();

    public Config PersistenceConfig()
    {
        var quoted = HoconConfigLoader.Quote(ConnectionString);
        return ConfigurationFactory.ParseString($$"""
            akka.persistence.journal.sql.connection-string = {{quoted}}
            akka.persistence.snapshot-store.sql.connection-string = {{quoted}}
            """);
    }

    /// <summary>
    /// Puts the database in write-ahead-log mode (a property of the file, so it holds for every later
    /// connection): a journal commit appends to the log instead of rewriting pages under a rollback journal.
    /// Creates the tables the router keeps itself (the journal's are Akka's).
    /// </summary>
    public void Prepare()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS virtual_keys (
                key_id         TEXT PRIMARY KEY,
                secret_hash    TEXT NOT NULL UNIQUE,
                display_prefix TEXT NOT NULL,
                alias          TEXT UNIQUE,
                created_at     TEXT NOT NULL
            );
            """;
        command.ExecuteNonQuery();

        // The request log has a file of its own: SQLite lets one transaction write a file at a time, and
        // the log's batches must not hold up the journal's writes (or the other way round).
        using var log = OpenLogConnection(attachKeys: false);
        using var logCommand = log.CreateCommand();
        logCommand.CommandText = "PRAGMA journal_mode=WAL;";
        logCommand.ExecuteNonQuery();
        logCommand.CommandText = """
            CREATE TABLE IF NOT EXISTS requests (
                time               TEXT NOT NULL,
                request_id         TEXT NOT NULL,
                key_id             TEXT,
                key_prefix         TEXT,
                key_alias          TEXT,
                requested_model    TEXT,
                routed_model       TEXT,
                provider           TEXT,
                deployment         TEXT,
                status             INTEGER NOT NULL,
                upstream_status    INTEGER,
                error_origin       TEXT,
                prompt_tokens      INTEGER NOT NULL,
                completion_tokens  INTEGER NOT NULL,
                cached_tokens      INTEGER NOT NULL,
                cost               REAL NOT NULL,
                cache_hit          INTEGER NOT NULL,
                saved_cost         REAL NOT NULL,
                latency_ms         REAL NOT NULL,
                ttft_ms            REAL,
                overhead_ms        REAL NOT NULL,
                attempts           INTEGER NOT NULL,
                upstream_error     TEXT
            );
            CREATE INDEX IF NOT EXISTS requests_time ON requests (time);
            -- Not unique: a caller may send the same x-request-id twice, and both requests are kept.
            CREATE INDEX IF NOT EXISTS requests_request_id ON requests (request_id);
            CREATE TABLE IF NOT EXISTS request_attempts (
                request_id      TEXT NOT NULL,
                attempt         INTEGER NOT NULL,
                provider        TEXT,
                deployment      TEXT,
                status          INTEGER NOT NULL,
                upstream_status INTEGER,
                latency_ms      REAL NOT NULL,
                error_origin    TEXT,
                verdict         TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS request_attempts_request_id ON request_attempts (request_id);
            """;
        logCommand.ExecuteNonQuery();
    }

    public string LogDatabasePath => Path.Combine(Path.GetDirectoryName(DatabasePath)!, "requests.db");

    /// <summary>
    /// A connection to the request log's database, with the router's database attached as <c>keys</c>
    /// (for a key's alias at the time a row is written).
    /// </summary>
    public SqliteConnection OpenLogConnection(bool attachKeys = true)
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

    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>True when the database answers a query; the reason otherwise.</summary>
    public async Task<(bool Ok, string Detail)> ProbeAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = new SqliteConnection(ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(ct);
            return (true, "ok");
        }
        catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException)
        {
            return (false, e.Message);
        }
    }
}
