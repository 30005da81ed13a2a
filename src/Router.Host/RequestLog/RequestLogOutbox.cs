using System.Text.Json;
using Microsoft.Data.Sqlite;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>One batch kept in the outbox: its place in the order, its entries, and the rows they make.</summary>
public sealed record OutboxBatch(long Sequence, IReadOnlyList<RequestLogEntry> Entries, int Rows);

/// <summary>
/// Batches of the request log the database did not take, kept in a SQLite file in this node's data directory
/// until it does: each batch one row, its entries as JSON, in the order they were appended. Used from the
/// request log's writer thread only; <see cref="Rows"/> may be read from any thread.
/// </summary>
public sealed class RequestLogOutbox
{
    public const string FileName = "request-log-outbox.db";

    private readonly string _connectionString;
    private long _rows;

    private RequestLogOutbox(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
    }

    /// <summary>The file, for log lines (a path in the data directory, nothing secret).</summary>
    public string Path { get; }

    /// <summary>Rows (requests and attempts) waiting in the outbox.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    public bool IsEmpty => Rows == 0;

    /// <summary>
    /// Opens the outbox at <paramref name="path"/>; what a previous run left stays in it. The file is made only when
    /// a first batch has to wait: a node whose database always answered has none.
    /// </summary>
    public static RequestLogOutbox Open(string path)
    {
        var outbox = new RequestLogOutbox(path);
        if (File.Exists(path)) outbox.Prepare();
        return outbox;
    }

    private bool _prepared;

    private void Prepare()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        // Write-ahead log: an append costs one sync of the log, not of the log and the database file.
        command.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS batches (
                sequence INTEGER PRIMARY KEY,
                rows     INTEGER NOT NULL,
                entries  TEXT NOT NULL
            );
            """;
        command.ExecuteNonQuery();
        command.CommandText = "SELECT COALESCE(SUM(rows), 0) FROM batches";
        _rows = (long)command.ExecuteScalar()!;
        _prepared = true;
    }

    /// <summary>Keeps <paramref name="batch"/> behind every batch already kept; durable once this returns.</summary>
    public void Append(IReadOnlyList<RequestLogEntry> batch)
    {
        var rows = batch.Sum(e => e.RowCount);
        if (!_prepared) Prepare();
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO batches (rows, entries) VALUES (@rows, @entries)";
        command.AddParameter("@rows", rows);
        command.AddParameter("@entries", JsonSerializer.Serialize(batch, OutboxJson.Default.IReadOnlyListRequestLogEntry));
        command.ExecuteNonQuery();
        Interlocked.Add(ref _rows, rows);
    }

    /// <summary>The batch kept longest; null when the outbox is empty.</summary>
    public OutboxBatch? Oldest()
    {
        if (!_prepared) return null;
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence, rows, entries FROM batches ORDER BY sequence LIMIT 1";
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var entries = JsonSerializer.Deserialize(reader.GetString(2), OutboxJson.Default.IReadOnlyListRequestLogEntry)
                      ?? throw new InvalidDataException($"Batch {reader.GetInt64(0)} of {Path} holds no entries");
        return new OutboxBatch(reader.GetInt64(0), entries, reader.GetInt32(1));
    }

    /// <summary>Forgets a batch the database has taken.</summary>
    public void Remove(OutboxBatch batch)
    {
        if (!_prepared) return;
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM batches WHERE sequence = @sequence";
        command.AddParameter("@sequence", batch.Sequence);
        if (command.ExecuteNonQuery() == 1) Interlocked.Add(ref _rows, -batch.Rows);
    }

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        // Rows in the outbox are rows the database has not got: a power cut must not take the last ones with it.
        command.CommandText = "PRAGMA synchronous=FULL";
        command.ExecuteNonQuery();
        return connection;
    }
}
