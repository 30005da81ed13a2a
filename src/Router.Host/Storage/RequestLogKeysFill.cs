using System.Data.Common;
using System.Globalization;

namespace Router.Host.Storage;

/// <summary>Fills <c>request_log_keys</c> (the names each key was logged under, see <c>LogKeyNames</c>) from a log written before it existed, once.</summary>
public static class RequestLogKeysFill
{
    /// <summary>
    /// Adds each key's alias and prefix from every request logged so far, unless done before (a row of <c>request_rollup_state</c>
    /// says so: the fill reads every request). The same SQL on SQLite and PostgreSQL.
    /// </summary>
    /// <param name="command">A command in the transaction that prepares the schema.</param>
    public static void FillOnce(DbCommand command)
    {
        command.CommandText = "SELECT COUNT(*) FROM request_rollup_state WHERE name = 'key_names'";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0) return;
        command.CommandText = """
            INSERT INTO request_log_keys (name, key_id, last_seen)
            SELECT name, key_id, MAX(time) FROM (
                SELECT key_alias AS name, key_id, time FROM requests WHERE key_alias IS NOT NULL AND key_id IS NOT NULL
                UNION ALL
                SELECT key_prefix, key_id, time FROM requests WHERE key_prefix IS NOT NULL AND key_id IS NOT NULL
            ) named
            WHERE true GROUP BY name, key_id
            ON CONFLICT DO NOTHING;
            INSERT INTO request_rollup_state (name, value) VALUES ('key_names', 'filled') ON CONFLICT (name) DO NOTHING;
            """;
        command.ExecuteNonQuery();
    }
}
