using System.Data.Common;
using System.Globalization;

namespace Router.Host.Storage;

/// <summary>Fills <c>request_log_values</c> (the explorer's filter values, see <c>LogValues</c>) from a log written before it existed.</summary>
public static class RequestLogValuesFill
{
    /// <summary>The column (or expression) of <c>requests</c> each kind comes from, for <see cref="FillIfEmpty"/>, as <c>LogValues.Kinds</c> has them.</summary>
    private static readonly Dictionary<string, string> Columns = new()
    {
        ["model"] = "requested_model",
        ["key"] = "COALESCE(key_alias, key_prefix)",
        ["provider"] = "provider",
        ["status"] = "CAST(status AS TEXT)",
    };

    /// <summary>
    /// Fills the table from the log when it is empty and the log is not (a log written before the table existed), as the
    /// schema is prepared: the same SQL on SQLite and PostgreSQL. The emptiness is asked first, on its own: inside the
    /// <c>INSERT</c>, SQLite would group the whole log before finding it has nothing to do.
    /// </summary>
    public static void FillIfEmpty(DbCommand command)
    {
        command.CommandText = "SELECT COUNT(*) FROM (SELECT 1 FROM request_log_values LIMIT 1) kept";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0) return;
        command.CommandText = $"""
            INSERT INTO request_log_values (kind, value, last_seen)
            {string.Join("\nUNION ALL\n", Columns.Select(c =>
                $"SELECT '{c.Key}', {c.Value}, MAX(time) FROM requests WHERE {c.Value} IS NOT NULL GROUP BY {c.Value}"))}
            """;
        command.ExecuteNonQuery();
    }
}
