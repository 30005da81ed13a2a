using System.Data.Common;
using Akka.Configuration;
using Npgsql;
using Router.Contracts.Configuration;


namespace Router.Host.Storage;

/// <summary>
/// One PostgreSQL database shared by the nodes of a pair: the journal and snapshots (Akka.Persistence.Sql,
/// which creates its tables), the key directory and the request log, all in one database, so the log reads
/// <c>virtual_keys</c> directly. Connections come from one <see cref="NpgsqlDataSource"/>, which pools them.
/// </summary>
public sealed class PostgresStorage : RouterStorage
{
    // Any fixed number: the nodes of a pair take this lock so they do not create the same tables at once
    // (concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog).
    private const long SchemaLock = 0x726f75746572; // "router"

    private readonly string _connectionString;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresStorage(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // A pooled connection idle while the server restarted is found broken by its keepalive and thrown away,
        // rather than by the next journal write, which it would fail (and with it the key's actor).
        if (builder.KeepAlive == 0) builder.KeepAlive = KeepAliveSeconds;
        _connectionString = builder.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(_connectionString);
    }

    /// <summary>How often an idle pooled connection is checked, unless the connection string says otherwise.</summary>
    public const int KeepAliveSeconds = 5;

    /// <summary>Why <paramref name="connectionString"/> cannot be used (without repeating it); null when it can.</summary>
    public static string? ConnectionStringProblem(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(builder.Host) ? "it names no Host" : null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            return e.Message;
        }
    }

    public override int RowsPerInsert => 50;

    /// <summary>Where the database is and whether the link is encrypted, for the startup report and errors; never a password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var tls = builder.SslMode switch
        {
            SslMode.Require or SslMode.VerifyCA or SslMode.VerifyFull => $", over TLS (SSL Mode={builder.SslMode})",
            _ => "",
        };
        return $"PostgreSQL at {builder.Host}:{builder.Port}, database {builder.Database ?? builder.Username ?? "(default)"}{tls}";
    }

    public override Config PersistenceConfig()
    {
        var quoted = HoconQuoting.Quote(_connectionString);
        return ConfigurationFactory.ParseString($$"""
            akka.persistence.journal.sql.provider-name = "PostgreSQL.15"
            akka.persistence.journal.sql.connection-string = {{quoted}}
            akka.persistence.snapshot-store.sql.provider-name = "PostgreSQL.15"
            akka.persistence.snapshot-store.sql.connection-string = {{quoted}}
            # A key whose journal failed starts a new one every 1-5 s (KeyBudgetActor), and each is refused at once while
            # the breaker is open: keep it open briefly, so the keys catch up seconds after PostgreSQL is back, not 30 s.
            akka.persistence.journal.sql.circuit-breaker.reset-timeout = 2s
            akka.persistence.snapshot-store.sql.circuit-breaker.reset-timeout = 2s
            """);
    }

    /// <summary>Creates the router's tables in one transaction, under a lock both nodes of a pair take.</summary>
    public override void Prepare()
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT pg_advisory_xact_lock({SchemaLock})";
            command.ExecuteNonQuery();
            // Times compare as text: bytes, whatever the database's locale.
            command.CommandText = StorageSchema.VirtualKeys(timeText: "TEXT COLLATE \"C\"")
                                  + StorageSchema.StoredResponses(timeText: "TEXT COLLATE \"C\"")
                                  + StorageSchema.RequestLog(real: "DOUBLE PRECISION", timeText: "TEXT COLLATE \"C\"")
                                  + StorageSchema.RequestRollups(real: "DOUBLE PRECISION", timeText: "TEXT COLLATE \"C\"", rowOptions: "")
                                  + StorageSchema.RequestTags(timeText: "TEXT COLLATE \"C\"", rowOptions: "")
                                  + string.Concat(StorageSchema.AddedRequestColumns.Select(c =>
                                      $"ALTER TABLE requests ADD COLUMN IF NOT EXISTS {c.Name} {c.Definition};"))
                                  // Numbers the rows, the ones already written included, for the pages' (time, id) order.
                                  // (Not ADD COLUMN IF NOT EXISTS: with a serial type that makes a new sequence each start.)
                                  + """
                                    DO $$ BEGIN
                                      IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                                                     WHERE table_schema = current_schema() AND table_name = 'requests' AND column_name = 'id')
                                      THEN ALTER TABLE requests ADD COLUMN id BIGSERIAL; END IF;
                                    END $$;
                                    """
                                  + "CREATE INDEX IF NOT EXISTS requests_time_id ON requests (time, id);"
                                  + StorageSchema.RequestLogIndexes(rowIdTail: ", id");
            command.ExecuteNonQuery();
            RequestLogValuesFill.FillIfEmpty(command);
            RequestTagsFill.FillOnce(command, "jsonb_array_elements_text(requests.tags::jsonb) AS element(value)", RequestRowId);
            RequestLogKeysFill.FillOnce(command);
            RollupSchemaUpgrade.Run(command, real: "DOUBLE PRECISION", timeText: "TEXT COLLATE \"C\"", rowOptions: "", (table, column) => $"""
                SELECT COUNT(*) FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = '{table}' AND column_name = '{column}'
                """);
            transaction.Commit();
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            throw new StorageUnavailableException($"{Describe(_connectionString)}: {Reason(e)}", e);
        }
    }

    /// <summary>
    /// The failure with its causes: Npgsql says only "Exception while connecting" and puts why (a refused
    /// certificate, a refused password) in the inner exceptions.
    /// </summary>
    private static string Reason(Exception e)
    {
        var messages = new List<string>();
        var tlsRefused = false;
        for (var cause = e; cause is not null; cause = cause.InnerException)
        {
            if (!messages.Contains(cause.Message)) messages.Add(cause.Message);
            tlsRefused |= cause is System.Security.Authentication.AuthenticationException;
        }
        var reason = string.Join(": ", messages);
        return tlsRefused
            ? reason + ". The server's TLS certificate was not accepted: check that the connection string's Root Certificate is the CA " +
              "that signed it and, with SSL Mode=VerifyFull, that its Host is a name (or address) the certificate is for"
            : reason;
    }

    public override DbConnection OpenConnection() => _dataSource.OpenConnection();

    public override DbConnection OpenLogConnection() => _dataSource.OpenConnection();

    protected override DbConnection CreateConnection() => _dataSource.CreateConnection();

    /// <summary>
    /// Throws away the idle connections of both pools, this one's and the journal's (Akka.Persistence.Sql opens
    /// its connections from Npgsql's pool for the same connection string), so none made to the server that went
    /// is used once it is back: the first journal write would fail on it, and a persistent actor whose write
    /// fails is stopped.
    /// </summary>
    protected override void Unreachable()
    {
        _dataSource.Clear();
        using var journal = new NpgsqlConnection(_connectionString);
        NpgsqlConnection.ClearPool(journal);
    }

    public override string JsonArrayContains(string column, string parameter) =>
        $"EXISTS (SELECT 1 FROM jsonb_array_elements_text({column}::jsonb) AS element(value) WHERE element.value = {parameter})";

    // PostgreSQL estimates the join of a tag's rows to their requests at one row, and so hashes every tagged row against
    // every request and sorts them all for a page (2.5 s a page at 3.3M rows). Looked up one by one (a LIMIT keeps the lookup
    // from being turned back into a join), each tagged row's request is read in the tag index's order until the page is
    // full: 0.5 ms against 120 ms at 300k rows. A count reads every tagged row either way, and is faster hashed.
    public override string TaggedRequestsInOrder(string tagParameter) =>
        $"request_tags JOIN LATERAL (SELECT * FROM requests WHERE requests.time = tagged_time AND requests.{RequestRowId} = tagged_row LIMIT 1)"
        + $" requests ON tag = {tagParameter}";

    // PostgreSQL has no row id of its own that lasts: the request log has an id column (see Prepare).
    public override string RequestRowId => "id";

    public override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    protected override void Dispose(bool disposing)
    {
        if (disposing) _dataSource.Dispose();
    }
}

/// <summary>The database could not be reached or prepared at start.</summary>
public sealed class StorageUnavailableException(string message, Exception inner) : Exception(message, inner);
