using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Router.Host.Storage;

/// <summary>
/// A statement of SQLite's own on a <see cref="SqliteConnection"/>'s handle (so within its transaction), for the writes made
/// many times a second: values are bound typed and strings as the UTF-16 they are, where Microsoft.Data.Sqlite makes a binder
/// object per parameter per execution and a UTF-8 copy of each string. Parameters are numbered from 1 (<c>?1</c>, <c>?2</c>…).
/// Errors are thrown as <see cref="SqliteException"/>, as Microsoft.Data.Sqlite throws them.
/// </summary>
public sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _database = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open");
        Check(raw.sqlite3_prepare_v2(_database, sql, out _statement));
    }

    public void BindText(int index, ReadOnlySpan<char> value) => Check(raw.sqlite3_bind_text16(_statement, index, value));

    public void BindInteger(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void BindReal(int index, double value) => Check(raw.sqlite3_bind_double(_statement, index, value));

    public void BindNull(int index) => Check(raw.sqlite3_bind_null(_statement, index));

    /// <summary>Binds a string, a whole number or a floating-point number, as the column it is stored in takes it.</summary>
    public void Bind(int index, object value)
    {
        switch (value)
        {
            case string text: BindText(index, text); break;
            case int integer: BindInteger(index, integer); break;
            case long integer: BindInteger(index, integer); break;
            case double real: BindReal(index, real); break;
            default: throw new ArgumentException($"A {value.GetType().Name} is not bound to SQLite here", nameof(value));
        }
    }

    /// <summary>Runs the statement to its next row: true when there is one (a <c>RETURNING</c> or a <c>SELECT</c>), false when done.</summary>
    public bool Step()
    {
        var result = raw.sqlite3_step(_statement);
        if (result == raw.SQLITE_ROW) return true;
        if (result != raw.SQLITE_DONE) Check(result);
        return false;
    }

    /// <summary>Text column <paramref name="column"/> (from 0) of the current row.</summary>
    public string Text(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    /// <summary>Makes the statement ready to run again; its bound values stay until bound anew.</summary>
    public void Reset() => Check(raw.sqlite3_reset(_statement));

    public void Dispose() => _statement.Dispose();

    private void Check(int result)
    {
        if (result is raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW) return;
        throw new SqliteException($"SQLite Error {result}: '{raw.sqlite3_errmsg(_database).utf8_to_string()}'.", result);
    }
}
