using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// Adds summed rows to a rollup table in three statements per chunk of rows, for a database a round trip away (PostgreSQL;
/// the same SQL runs on SQLite, where the prepared statements per row of <see cref="RollupStatements"/> are faster): a multi-row <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c> makes the new rows and names them; one
/// <c>UPDATE … FROM (VALUES …)</c> adds the sums to the others and returns their histograms, which the database cannot add up
/// itself; a second writes them back merged. The first <c>UPDATE</c> holds its rows until commit, so no writer can change
/// their histograms between the read and the write back. (A statement per row cost PostgreSQL a round trip each: a batch of
/// a hundred requests over a hundred keys was more than a thousand.)
/// </summary>
internal static class RollupUpsert
{
    /// <param name="rowsPerStatement">Rows per chunk: the storage's <c>RowsPerInsert</c>, far below any limit on parameters.</param>
    public static void Add(DbConnection connection, DbTransaction transaction, RollupTable table, IReadOnlyList<KeyValuePair<RollupKey, RollupSums>> rows,
        int rowsPerStatement)
    {
        for (var start = 0; start < rows.Count; start += rowsPerStatement)
        {
            var chunk = rows.Skip(start).Take(rowsPerStatement).ToList();
            var inserted = Insert(connection, transaction, table, chunk);
            var existing = chunk.Where(r => !inserted.Contains(Identity(table, r.Key))).ToList();
            if (existing.Count == 0) continue;
            var stored = AddSums(connection, transaction, table, existing);
            SetHistograms(connection, transaction, table, existing, stored);
        }
    }

    /// <summary>Inserts the rows not there yet; returns the identities of those it inserted.</summary>
    private static HashSet<string> Insert(DbConnection connection, DbTransaction transaction, RollupTable table,
        List<KeyValuePair<RollupKey, RollupSums>> rows)
    {
        using var command = Command(connection, transaction);
        var keys = table.KeyColumns;
        command.CommandText = $"""
            INSERT INTO {table.Name} ({string.Join(", ", [.. keys, .. RollupTiers.SumColumns, .. RollupTiers.Histograms])})
            VALUES {Values(command, table, rows, (row, add) =>
            {
                AddSums(row.Value, add);
                for (var m = 0; m < RollupTiers.Histograms.Length; m++) add(HistogramText.Write(row.Value.Histogram(m)), DbType.String);
            })}
            ON CONFLICT ({string.Join(", ", keys)}) DO NOTHING RETURNING {string.Join(", ", keys)}
            """;
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read()) inserted.Add(Identity(reader, keys.Length));
        return inserted;
    }

    /// <summary>Adds the sums to rows already there; returns their stored histograms by identity.</summary>
    private static Dictionary<string, string[]> AddSums(DbConnection connection, DbTransaction transaction, RollupTable table,
        List<KeyValuePair<RollupKey, RollupSums>> rows)
    {
        using var command = Command(connection, transaction);
        var keys = table.KeyColumns;
        var sets = RollupTiers.SumColumns.Select((c, i) => $"{c} = {c} + v.column{keys.Length + i + 1}");
        command.CommandText = $"""
            UPDATE {table.Name} SET {string.Join(", ", sets)}
            FROM (VALUES {Values(command, table, rows, (row, add) => AddSums(row.Value, add))}) AS v
            WHERE {Matching(keys)}
            RETURNING {string.Join(", ", [.. keys, .. RollupTiers.Histograms])}
            """;
        var stored = new Dictionary<string, string[]>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read())
            stored[Identity(reader, keys.Length)] = RollupTiers.Histograms.Select((_, m) => reader.GetString(keys.Length + m)).ToArray();
        return stored;
    }

    /// <summary>Writes back each row's stored histograms with the chunk's added.</summary>
    private static void SetHistograms(DbConnection connection, DbTransaction transaction, RollupTable table,
        List<KeyValuePair<RollupKey, RollupSums>> rows, Dictionary<string, string[]> stored)
    {
        using var command = Command(connection, transaction);
        var keys = table.KeyColumns;
        var sets = RollupTiers.Histograms.Select((c, m) => $"{c} = v.column{keys.Length + m + 1}");
        command.CommandText = $"""
            UPDATE {table.Name} SET {string.Join(", ", sets)}
            FROM (VALUES {Values(command, table, rows, (row, add) =>
            {
                var histograms = stored[Identity(table, row.Key)];
                for (var m = 0; m < histograms.Length; m++) add(HistogramText.Merge(histograms[m], row.Value.Histogram(m)), DbType.String);
            })}) AS v
            WHERE {Matching(keys)}
            """;
        command.ExecuteNonQuery();
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        return command;
    }

    /// <summary>
    /// The rows as <c>(…), (…)</c>, each its key columns then what <paramref name="values"/> adds, bound as parameters. A
    /// <c>VALUES</c> list names its columns <c>column1</c>, <c>column2</c> … in SQLite and PostgreSQL alike.
    /// </summary>
    private static string Values(DbCommand command, RollupTable table, List<KeyValuePair<RollupKey, RollupSums>> rows,
        Action<KeyValuePair<RollupKey, RollupSums>, Action<object, DbType>> values)
    {
        var sql = new StringBuilder();
        foreach (var row in rows)
        {
            sql.Append(sql.Length == 0 ? "(" : ", (");
            var first = true;
            void Add(object value, DbType type)
            {
                var name = "@p" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
                command.AddParameter(name, type).Value = value;
                sql.Append(first ? name : ", " + name);
                first = false;
            }
            foreach (var column in table.KeyColumns) Add(row.Key.Column(column), column is "status" or "cache_hit" ? DbType.Int32 : DbType.String);
            values(row, Add);
            sql.Append(')');
        }
        return sql.ToString();
    }

    private static void AddSums(RollupSums sums, Action<object, DbType> add)
    {
        for (var i = 0; i < RollupTiers.SumColumns.Length; i++) add(sums.Value(i), RollupTiers.SumColumns[i] is "cost" or "saved_cost" ? DbType.Double : DbType.Int64);
    }

    private static string Matching(string[] keys) => string.Join(" AND ", keys.Select((c, i) => $"{c} = v.column{i + 1}"));

    /// <summary>A row's key columns as one string, the same whether built from a key or read back from the database.</summary>
    private static string Identity(RollupTable table, RollupKey key) =>
        string.Join('\u001f', table.KeyColumns.Select(c => Convert.ToString(key.Column(c), CultureInfo.InvariantCulture)));

    private static string Identity(DbDataReader reader, int keyColumns) =>
        string.Join('\u001f', Enumerable.Range(0, keyColumns).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)));
}
