using System.Data;
using System.Data.Common;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// The three prepared statements that add one group's sums to a rollup table, the same SQL on SQLite and PostgreSQL:
/// <see cref="Insert"/> makes the row when it is new (and says so by returning one); otherwise <see cref="AddSums"/> adds
/// the sums in place and returns the stored histograms, which the database cannot add up itself, and
/// <see cref="SetHistograms"/> writes them back merged. The <c>UPDATE</c> holds the row until commit, so no writer can
/// change the histograms between the read and the write back.
/// </summary>
internal sealed class RollupStatements : IDisposable
{
    public readonly DbCommand Insert, AddSums, SetHistograms;
    private readonly DbParameter[] _insertKeys, _insertSums, _insertHistograms, _addKeys, _addSums, _setKeys, _setHistograms;

    private readonly string[] _keyColumns;

    public RollupStatements(DbConnection connection, DbTransaction transaction, RollupTable rollups)
    {
        var (table, keys) = (rollups.Name, _keyColumns = rollups.KeyColumns);
        var where = string.Join(" AND ", keys.Select((c, i) => $"{c} = @k{i}"));
        Insert = Command(connection, transaction, $"""
            INSERT INTO {table} ({string.Join(", ", [.. keys, .. RollupTiers.SumColumns, .. RollupTiers.Histograms])})
            VALUES ({string.Join(", ", [.. Names("@k", keys), .. Names("@s", RollupTiers.SumColumns), .. Names("@h", RollupTiers.Histograms)])})
            ON CONFLICT ({string.Join(", ", keys)}) DO NOTHING RETURNING 1
            """);
        AddSums = Command(connection, transaction, $"""
            UPDATE {table} SET {string.Join(", ", RollupTiers.SumColumns.Select((c, i) => $"{c} = {c} + @s{i}"))}
            WHERE {where} RETURNING {string.Join(", ", RollupTiers.Histograms)}
            """);
        SetHistograms = Command(connection, transaction, $"""
            UPDATE {table} SET {string.Join(", ", RollupTiers.Histograms.Select((c, i) => $"{c} = @h{i}"))} WHERE {where}
            """);
        (_insertKeys, _addKeys, _setKeys) = (KeyParameters(Insert, keys), KeyParameters(AddSums, keys), KeyParameters(SetHistograms, keys));
        (_insertSums, _addSums) = (SumParameters(Insert), SumParameters(AddSums));
        (_insertHistograms, _setHistograms) = (HistogramParameters(Insert), HistogramParameters(SetHistograms));
        foreach (var command in new[] { Insert, AddSums, SetHistograms }) command.Prepare();
    }

    private static IEnumerable<string> Names(string prefix, string[] columns) => columns.Select((_, i) => prefix + i);

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static DbParameter[] KeyParameters(DbCommand command, string[] keys) => keys
        .Select((c, i) => command.AddParameter("@k" + i, c is "status" or "cache_hit" ? DbType.Int32 : DbType.String)).ToArray();

    private static DbParameter[] SumParameters(DbCommand command) => RollupTiers.SumColumns
        .Select((c, i) => command.AddParameter("@s" + i, c is "cost" or "saved_cost" ? DbType.Double : DbType.Int64)).ToArray();

    private static DbParameter[] HistogramParameters(DbCommand command) => RollupTiers.Histograms
        .Select((_, i) => command.AddParameter("@h" + i, DbType.String)).ToArray();

    /// <summary>Sets every statement's key, the sums to add, and the histograms of a new row.</summary>
    public void Bind(RollupKey key, RollupSums sums)
    {
        for (var i = 0; i < _keyColumns.Length; i++) _insertKeys[i].Value = _addKeys[i].Value = _setKeys[i].Value = key.Column(_keyColumns[i]);
        for (var i = 0; i < _insertSums.Length; i++) _insertSums[i].Value = _addSums[i].Value = sums.Value(i);
        for (var i = 0; i < _insertHistograms.Length; i++) _insertHistograms[i].Value = HistogramText.Write(sums.Histogram(i));
    }

    /// <summary>Sets the histograms to write back: the stored ones (<see cref="AddSums"/>' answer) with this batch's added.</summary>
    public void BindMerged(DbDataReader stored, RollupSums sums)
    {
        for (var i = 0; i < _setHistograms.Length; i++) _setHistograms[i].Value = HistogramText.Merge(stored.GetString(i), sums.Histogram(i));
    }

    public void Dispose()
    {
        Insert.Dispose();
        AddSums.Dispose();
        SetHistograms.Dispose();
    }
}
