using System.Data;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// One column of a table the request log writes: its name, its type, and where its value comes from. The value is read
/// typed, so that SQLite's statements bind it without boxing or copying it to a new string (<see cref="SqliteRowInserter"/>);
/// other databases take it boxed as a command parameter's value (<see cref="Value"/>).
/// </summary>
public sealed class LogColumn<T>
{
    // Exactly one of these is set: the column's kind.
    private readonly Func<T, string?>? _text;
    private readonly Func<T, int?>? _integer;
    private readonly Func<T, double?>? _real;
    private readonly Func<T, DateTimeOffset>? _time;

    private LogColumn(string name, DbType type, Func<T, string?>? text = null, Func<T, int?>? integer = null, Func<T, double?>? real = null,
        Func<T, DateTimeOffset>? time = null) => (Name, Type, _text, _integer, _real, _time) = (name, type, text, integer, real, time);

    public string Name { get; }

    public DbType Type { get; }

    public static LogColumn<T> Text(string name, Func<T, string?> value) => new(name, DbType.String, text: value);

    public static LogColumn<T> Integer(string name, Func<T, int?> value) => new(name, DbType.Int32, integer: value);

    public static LogColumn<T> Real(string name, Func<T, double?> value) => new(name, DbType.Double, real: value);

    /// <summary>A time kept as sortable text (<see cref="RequestLogWriter.FormatTime"/>).</summary>
    public static LogColumn<T> Time(string name, Func<T, DateTimeOffset> value) => new(name, DbType.String, time: value);

    /// <summary>The row's value as a command parameter takes it (null for SQL NULL).</summary>
    public object? Value(T row) =>
        _text is not null ? _text(row)
        : _integer is not null ? _integer(row)
        : _real is not null ? _real(row)
        : RequestLogWriter.FormatTime(_time!(row));

    /// <summary>Whether two rows have the same value in this column, so that one bound for the first serves the second.</summary>
    internal bool Same(T row, T other) =>
        _text is not null ? string.Equals(_text(row), _text(other), StringComparison.Ordinal)
        : _integer is not null ? _integer(row) == _integer(other)
        : _real is not null ? Bits(_real(row)) == Bits(_real(other))
        : _time!(row).UtcTicks == _time(other).UtcTicks;

    // Bit for bit: 0.0 and -0.0 are equal numbers but not the same value to bind.
    private static long? Bits(double? value) => value is { } v ? BitConverter.DoubleToInt64Bits(v) : null;

    /// <summary>Binds the row's value to parameter <paramref name="index"/> (from 1) of a SQLite statement.</summary>
    internal void Bind(SqliteStatement statement, int index, T row)
    {
        if (_time is not null)
        {
            Span<char> time = stackalloc char[RequestLogWriter.TimeLength];
            RequestLogWriter.WriteTime(time, _time(row));
            statement.BindText(index, time);
        }
        else if (_text is not null)
        {
            if (_text(row) is { } text) statement.BindText(index, text);
            else statement.BindNull(index);
        }
        else if (_integer is not null)
        {
            if (_integer(row) is { } integer) statement.BindInteger(index, integer);
            else statement.BindNull(index);
        }
        else if (_real!(row) is { } real) statement.BindReal(index, real);
        else statement.BindNull(index);
    }
}
