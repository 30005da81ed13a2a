using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// Inserts a batch's rows into SQLite through one <see cref="SqliteStatement"/>, bound column by column from typed values.
/// Through Microsoft.Data.Sqlite's parameters the request log's writer allocated as much as all the requests it logged, which
/// doubled the garbage collections every request may wait on (bench/README, issue 24).
/// </summary>
internal sealed class SqliteRowInserter<T>(SqliteConnection connection, string table, IReadOnlyList<LogColumn<T>> columns) : IDisposable
{
    // Each table's column list is one static array (RequestLogRows), so its statement's text is made once, not per batch.
    private static readonly ConditionalWeakTable<object, string> SqlByColumns = new();

    private SqliteStatement? _statement;

    public void Insert(IReadOnlyList<T> rows)
    {
        if (rows.Count == 0) return;
        var statement = _statement ??= new SqliteStatement(connection, SqlByColumns.GetValue(columns, _ => Sql()));
        for (var i = 0; i < rows.Count; i++)
        {
            // A statement keeps its values from one run to the next: only those that differ from the row before are bound
            // again. A batch's rows mostly share their key, models, provider and more (a bind is a native call and a copy).
            for (var column = 0; column < columns.Count; column++)
                if (i == 0 || !columns[column].Same(rows[i], rows[i - 1])) columns[column].Bind(statement, column + 1, rows[i]);
            statement.Step();
            statement.Reset();
        }
    }

    private string Sql()
    {
        var sql = new StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES (");
        for (var column = 1; column <= columns.Count; column++) sql.Append(column == 1 ? "?1" : $", ?{column}");
        return sql.Append(')').ToString();
    }

    public void Dispose() => _statement?.Dispose();
}
