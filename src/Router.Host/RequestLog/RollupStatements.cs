using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// The three statements that add one group's sums to a SQLite rollup table: <c>Insert</c> makes the row when it is new (and
/// says so by returning one); otherwise <c>AddSums</c> adds the sums in place and returns the stored histograms, which the
/// database cannot add up itself, and <c>SetHistograms</c> writes them back merged. The <c>UPDATE</c> holds the row until
/// commit, so no writer can change the histograms between the read and the write back. Statements of SQLite's own
/// (<see cref="SqliteStatement"/>), their SQL made once per table: prepared per batch through Microsoft.Data.Sqlite, the
/// rollups' statements and parameters were about a sixth of what the request log's writer allocated. (PostgreSQL, a round trip away,
/// writes chunks of rows per statement instead: <see cref="RollupUpsert"/>.)
/// </summary>
internal sealed class RollupStatements : IDisposable
{
    private static readonly ConcurrentDictionary<RollupTable, (string Insert, string AddSums, string SetHistograms)> SqlByTable = new();

    private readonly SqliteStatement _insert, _addSums, _setHistograms;
    private readonly string[] _keyColumns;

    public RollupStatements(SqliteConnection connection, RollupTable table)
    {
        _keyColumns = table.KeyColumns;
        var sql = SqlByTable.GetOrAdd(table, Sql);
        _insert = new SqliteStatement(connection, sql.Insert);
        _addSums = new SqliteStatement(connection, sql.AddSums);
        _setHistograms = new SqliteStatement(connection, sql.SetHistograms);
    }

    /// <summary>
    /// The table's three statements, parameters numbered: the key columns first (<c>?1</c>…), then the sums, then the
    /// histograms, each statement taking those it needs.
    /// </summary>
    private static (string, string, string) Sql(RollupTable rollups)
    {
        var (table, keys) = (rollups.Name, rollups.KeyColumns);
        var (sums, histograms) = (RollupTiers.SumColumns, RollupTiers.Histograms);
        string Key(int i) => $"?{i + 1}";
        string Sum(int i) => $"?{keys.Length + i + 1}";
        string Histogram(int i) => $"?{keys.Length + sums.Length + i + 1}";
        var where = string.Join(" AND ", keys.Select((c, i) => $"{c} = {Key(i)}"));
        return ($"""
            INSERT INTO {table} ({string.Join(", ", [.. keys, .. sums, .. histograms])})
            VALUES ({string.Join(", ", [.. keys.Select((_, i) => Key(i)), .. sums.Select((_, i) => Sum(i)), .. histograms.Select((_, i) => Histogram(i))])})
            ON CONFLICT ({string.Join(", ", keys)}) DO NOTHING RETURNING 1
            """, $"""
            UPDATE {table} SET {string.Join(", ", sums.Select((c, i) => $"{c} = {c} + {Sum(i)}"))}
            WHERE {where} RETURNING {string.Join(", ", histograms)}
            """, $"""
            UPDATE {table} SET {string.Join(", ", histograms.Select((c, i) => $"{c} = {Histogram(i)}"))} WHERE {where}
            """);
    }

    /// <summary>Adds <paramref name="sums"/> to the row of <paramref name="key"/>, making it when it is new.</summary>
    public void Add(RollupKey key, RollupSums sums)
    {
        var histograms = _keyColumns.Length + RollupTiers.SumColumns.Length;
        for (var i = 0; i < _keyColumns.Length; i++)
        {
            var value = key.Column(_keyColumns[i]);
            _insert.Bind(i + 1, value);
            _addSums.Bind(i + 1, value);
            _setHistograms.Bind(i + 1, value);
        }
        for (var i = 0; i < RollupTiers.SumColumns.Length; i++)
        {
            _insert.Bind(_keyColumns.Length + i + 1, sums.Value(i));
            _addSums.Bind(_keyColumns.Length + i + 1, sums.Value(i));
        }
        for (var i = 0; i < RollupTiers.Histograms.Length; i++) _insert.BindText(histograms + i + 1, HistogramText.Write(sums.Histogram(i)));
        var inserted = _insert.Step();
        _insert.Reset();
        if (inserted) return;
        if (!_addSums.Step()) throw new InvalidOperationException("A rollup row neither inserted nor found");
        for (var i = 0; i < RollupTiers.Histograms.Length; i++)
            _setHistograms.BindText(histograms + i + 1, HistogramText.Merge(_addSums.Text(i), sums.Histogram(i)));
        _addSums.Reset();
        _setHistograms.Step();
        _setHistograms.Reset();
    }

    public void Dispose()
    {
        _insert.Dispose();
        _addSums.Dispose();
        _setHistograms.Dispose();
    }
}
