using System.Data.Common;
using System.Globalization;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// Adds the request rows logged before rollups existed to them, once, an hour of rows per transaction. The first
/// node to start on such a database claims the backfill (a row of <c>request_rollup_state</c>): it counts rows up to
/// the newest present then, the cutoff; the writers of every node leave rows at or before it to the backfill while
/// it runs. Each slice moves the state on in its own transaction only if no other node moved it meanwhile, so a
/// slice is counted once, whichever node runs it, and a restart goes on where it stopped.
/// </summary>
public sealed class RollupBackfill(RouterStorage storage, RollupWriter rollups, ILogger logger)
{
    private const string StateName = "backfill";
    private const string Done = "done";
    private string? _state;

    public bool Claimed => _state is not null;

    public bool Pending => _state is not null and not Done;

    /// <summary>Decides, once per database, whether rows logged before rollups need adding; tells the writer the cutoff.</summary>
    public void Claim()
    {
        using var connection = storage.OpenLogConnection();
        var state = Read(connection);
        if (state is null)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT (SELECT MAX(time) FROM requests),
                       (SELECT COUNT(*) FROM (SELECT 1 FROM {new RollupTable(RollupTier.Day, RollupGrouping.Combined).Name} LIMIT 1) x)
                     + (SELECT COUNT(*) FROM (SELECT 1 FROM {new RollupTable(RollupTier.Day, RollupGrouping.Model).Name} LIMIT 1) y)
                """;
            string? newest;
            long rollupRows;
            using (var r = command.ExecuteReader())
            {
                r.Read();
                newest = r.IsDBNull(0) ? null : r.GetString(0);
                rollupRows = r.GetInt64(1);
            }
            command.CommandText = "INSERT INTO request_rollup_state (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING";
            command.AddParameter("@name", StateName);
            command.AddParameter("@value", newest is not null && rollupRows == 0 ? newest + "|" : Done);
            command.ExecuteNonQuery();
            state = Read(connection);
        }
        _state = state;
        if (Pending)
        {
            rollups.BackfillCutoff = Cutoff;
            logger.LogInformation("The request log's rollups are being added up from the rows logged up to {Cutoff}", Cutoff);
        }
    }

    private string Cutoff => _state![.._state!.IndexOf('|', StringComparison.Ordinal)];

    private string Next => _state![(_state!.IndexOf('|', StringComparison.Ordinal) + 1)..];

    /// <summary>Adds the next hour of rows that holds any; marks the backfill done when none is left.</summary>
    public void Slice()
    {
        using var connection = storage.OpenLogConnection();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT MIN(time) FROM requests WHERE time >= @next AND time <= @cutoff";
        command.AddParameter("@next", Next);
        command.AddParameter("@cutoff", Cutoff);
        string next;
        if (command.ExecuteScalar() is string first)
        {
            var hour = RollupTiers.Floor(RollupTier.Hour, DateTime.Parse(first, null, DateTimeStyles.AdjustToUniversal));
            var end = RequestLogWriter.FormatTime(hour + TimeSpan.FromHours(1));
            RollupWriter.Add(connection, transaction, rollups.Node, Rows(command, RequestLogWriter.FormatTime(hour), end), storage.RowsPerInsert);
            next = Cutoff + "|" + end;
        }
        else next = Done;
        command.Parameters.Clear();
        command.CommandText = "UPDATE request_rollup_state SET value = @value WHERE name = @name AND value = @old";
        command.AddParameter("@value", next);
        command.AddParameter("@name", StateName);
        command.AddParameter("@old", _state);
        if (command.ExecuteNonQuery() == 1)
        {
            transaction.Commit();
            _state = next;
        }
        else
        {
            transaction.Rollback(); // another node took this slice
            _state = Read(connection);
        }
        if (!Pending)
        {
            rollups.BackfillCutoff = null;
            logger.LogInformation("The request log's rollups now count the rows logged before them");
        }
    }

    private static List<RequestLogEntry> Rows(DbCommand command, string from, string to)
    {
        command.CommandText = """
            SELECT time, request_id, requested_model, provider, key_id, status, error_origin, cache_hit, prompt_tokens, completion_tokens, cost,
                   saved_cost, latency_ms, ttft_ms, overhead_ms
            FROM requests WHERE time >= @from AND time < @to AND time <= @cutoff
            """;
        command.AddParameter("@from", from);
        command.AddParameter("@to", to);
        var rows = new List<RequestLogEntry>();
        using var r = command.ExecuteReader();
        while (r.Read())
            rows.Add(new RequestLogEntry
            {
                Time = DateTimeOffset.Parse(r.GetString(0), null, DateTimeStyles.AssumeUniversal),
                RequestId = r.GetString(1),
                RequestedModel = r.IsDBNull(2) ? null : r.GetString(2),
                Provider = r.IsDBNull(3) ? null : r.GetString(3),
                KeyId = r.IsDBNull(4) ? null : r.GetString(4),
                Status = r.GetInt32(5),
                ErrorOrigin = r.IsDBNull(6) ? null : r.GetString(6),
                CacheHit = r.GetInt64(7) != 0,
                PromptTokens = r.GetInt32(8),
                CompletionTokens = r.GetInt32(9),
                Cost = (decimal)r.GetDouble(10),
                SavedCost = (decimal)r.GetDouble(11),
                LatencyMs = r.GetDouble(12),
                TtftMs = r.IsDBNull(13) ? null : r.GetDouble(13),
                OverheadMs = r.GetDouble(14),
            });
        return rows;
    }

    private static string? Read(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM request_rollup_state WHERE name = @name";
        command.AddParameter("@name", StateName);
        return command.ExecuteScalar() as string;
    }
}
