using System.Data.Common;
using System.Globalization;

namespace Router.Host.Storage;

/// <summary>Fills <c>request_tags</c> (<see cref="StorageSchema.RequestTags"/>) from a log written before it existed, once.</summary>
public static class RequestTagsFill
{
    /// <summary>
    /// Adds a row per tag of every request logged so far, unless done before (a row of <c>request_rollup_state</c> says so: an
    /// empty table alone could be a log without tags, and the fill reads every request).
    /// </summary>
    /// <param name="command">A command in the transaction that prepares the schema.</param>
    /// <param name="tagsOfRequest">The database's set-returning expression of <c>requests.tags</c>' elements, aliased <c>element(value)</c>.</param>
    /// <param name="rowId">The request log's row id column.</param>
    public static void FillOnce(DbCommand command, string tagsOfRequest, string rowId)
    {
        command.CommandText = "SELECT COUNT(*) FROM request_rollup_state WHERE name = 'tags'";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0) return;
        command.CommandText = $"""
            INSERT INTO request_tags (tag, tagged_time, tagged_row)
            SELECT element.value, requests.time, requests.{rowId} FROM requests, {tagsOfRequest} WHERE requests.tags IS NOT NULL
            ON CONFLICT DO NOTHING;
            INSERT INTO request_rollup_state (name, value) VALUES ('tags', 'filled') ON CONFLICT (name) DO NOTHING;
            """;
        command.ExecuteNonQuery();
    }
}
