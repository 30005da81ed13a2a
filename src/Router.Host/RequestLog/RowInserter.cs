using System.Data;
using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// Inserts rows several at a time where the database gains by it (<c>INSERT … VALUES (…), (…), …</c>: one
/// round trip to PostgreSQL per chunk instead of per row). The statement for a full chunk is prepared once
/// per batch and reused. SQLite, a call away rather than a round trip, takes its rows through <see cref="SqliteRowInserter"/>.
/// </summary>
public static class RowInserter
{
    public static void Insert<T>(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<LogColumn<T>> columns,
        IReadOnlyList<T> rows, int rowsPerStatement)
    {
        if (connection is SqliteConnection sqlite)
        {
            SqliteRowInserter.Insert(sqlite, table, columns, rows);
            return;
        }
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < rows.Count; start += rowsPerStatement)
            {
                var count = Math.Min(rowsPerStatement, rows.Count - start);
                var command = count == rowsPerStatement
                    ? full ??= Prepare(connection, transaction, table, columns, count)
                    : Prepare(connection, transaction, table, columns, count);
                var parameters = command.Parameters;
                for (var row = 0; row < count; row++)
                for (var column = 0; column < columns.Count; column++)
                    parameters[row * columns.Count + column].Value = columns[column].Value(rows[start + row]) ?? DBNull.Value;
                command.ExecuteNonQuery();
                if (!ReferenceEquals(command, full)) command.Dispose();
            }
        }
        finally
        {
            full?.Dispose();
        }
    }

    private static DbCommand Prepare<T>(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<LogColumn<T>> columns, int rows)
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
}
