using System.Data;
using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// Inserts a batch's rows into one table, a chunk at a time (<see cref="TakenBatch"/>), several rows a statement where the database
/// gains by it (<c>INSERT … VALUES (…), (…), …</c>: one round trip to PostgreSQL per chunk of rows instead of per row). The
/// statement for a full chunk is prepared once per batch and reused. SQLite, a call away rather than a round trip, takes its rows
/// through <see cref="SqliteRowInserter"/>. Disposed at the end of the batch.
/// </summary>
public sealed class RowInserter<T>(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<LogColumn<T>> columns,
    int rowsPerStatement) : IDisposable
{
    private readonly SqliteRowInserter<T>? _sqlite = connection is SqliteConnection sqlite ? new(sqlite, table, columns) : null;
    private DbCommand? _full;

    public void Insert(IReadOnlyList<T> rows)
    {
        if (_sqlite is not null)
        {
            _sqlite.Insert(rows);
            return;
        }
        for (var start = 0; start < rows.Count; start += rowsPerStatement)
        {
            var count = Math.Min(rowsPerStatement, rows.Count - start);
            var command = count == rowsPerStatement ? _full ??= Prepare(count) : Prepare(count);
            // A shorter last chunk's statement is used once; the full one lives for the batch (Dispose).
            using var once = ReferenceEquals(command, _full) ? null : command;
            var parameters = command.Parameters;
            for (var row = 0; row < count; row++)
            for (var column = 0; column < columns.Count; column++)
                parameters[row * columns.Count + column].Value = columns[column].Value(rows[start + row]) ?? DBNull.Value;
            command.ExecuteNonQuery();
        }
    }

    private DbCommand Prepare(int rows)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES ");
        for (var row = 0; row < rows; row++)
        {
            sql.Append(row == 0 ? "(" : ", (");
            for (var column = 0; column < columns.Count; column++)
            {
                var name = $"@p{row}_{column}";
                sql.Append(column == 0 ? name : ", " + name);
                // Each parameter keeps one type, so the statement stays prepared for every chunk.
                command.AddParameter(name, columns[column].Type);
            }
            sql.Append(')');
        }
        command.CommandText = sql.ToString();
        command.Prepare();
        return command;
    }

    public void Dispose()
    {
        _sqlite?.Dispose();
        _full?.Dispose();
    }
}
