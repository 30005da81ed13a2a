using System.Data.Common;

namespace Router.Host.Storage;

/// <summary>
/// Rewrites rollup tables made before histograms were stored as text (<c>HistogramText</c>): those had a column per
/// bucket and measure (<c>lat_0</c> … <c>ovh_63</c>), 192 in all. Each such table is copied into one of the new shape,
/// its histograms written as text by SQL alone, then replaces it, within the caller's transaction.
/// </summary>
public static class RollupSchemaUpgrade
{
    // The first shape's columns, as they were: what this upgrade reads must not change with the rollups' later shapes.
    private static readonly string[] Tables = ["request_rollups_minute", "request_rollups_hour", "request_rollups_day"];
    private static readonly string[] Copied =
    [
        "bucket", "node", "model", "provider", "key_id", "status", "error_origin", "cache_hit",
        "requests", "prompt_tokens", "completion_tokens", "cost", "saved_cost", "errors",
    ];
    private static readonly string[] Measures = ["lat", "ttft", "ovh"];
    private const int Buckets = 64;

    /// <param name="command">A command in the transaction that prepares the schema.</param>
    /// <param name="rowOptions">As for <see cref="StorageSchema.RequestRollups"/>.</param>
    /// <param name="countColumn">SQL counting the columns named (table, column), 0 or 1, in the database's own catalogue.</param>
    public static void Run(DbCommand command, string real, string timeText, string rowOptions, Func<string, string, string> countColumn)
    {
        foreach (var table in Tables)
        {
            command.CommandText = countColumn(table, "lat_0");
            if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0) continue;
            command.CommandText = StorageSchema.RollupTable(table + "_v2", real, timeText, rowOptions) + $"""
                INSERT INTO {table}_v2 ({string.Join(", ", [.. Copied, .. Measures])})
                SELECT {string.Join(", ", [.. Copied, .. Measures.Select(HistogramOfColumns)])} FROM {table};
                DROP TABLE {table};
                ALTER TABLE {table}_v2 RENAME TO {table};
                """;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>SQL that writes the bucket columns <c>m_0</c> … <c>m_63</c> as <c>HistogramText</c> does.</summary>
    private static string HistogramOfColumns(string measure)
    {
        var pairs = Enumerable.Range(0, Buckets)
            .Select(i => $"CASE WHEN {measure}_{i} > 0 THEN '{i}:' || CAST({measure}_{i} AS TEXT) || ',' ELSE '' END");
        return $"RTRIM({string.Join(" || ", pairs)}, ',')";
    }
}
