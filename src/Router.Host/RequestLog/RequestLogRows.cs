using System.Data;
using System.Data.Common;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>How a batch of request log entries becomes rows of <c>requests</c> and <c>request_attempts</c>.</summary>
public static class RequestLogRows
{
    /// <summary>
    /// Inserts the entries, their attempts and their tags within <paramref name="transaction"/>, and adds them to
    /// <paramref name="rollups"/> and to the filters' values (<see cref="LogValues"/>).
    /// </summary>
    public static void Insert(DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> batch, RouterStorage storage,
        RollupWriter? rollups = null)
    {
        rollups?.Add(connection, transaction, batch, storage.RowsPerInsert);
        LogValues.Add(connection, transaction, batch);
        RowInserter.Insert(connection, transaction, "requests", RequestColumns, batch, storage.RowsPerInsert);
        var attempts = batch.SelectMany(e => e.Attempts.Select(a => (e.RequestId, Attempt: a))).ToList();
        RowInserter.Insert(connection, transaction, "request_attempts", AttemptColumns, attempts, storage.RowsPerInsert);
        InsertTags(connection, transaction, batch, storage.RequestRowId);
    }

    /// <summary>
    /// Adds a row of <c>request_tags</c> per tag of each tagged entry, with the row id its request was just given (read back by
    /// request id and time, which its index finds); a row already there (a request id logged twice in one millisecond) is kept.
    /// </summary>
    private static void InsertTags(DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> batch, string rowId)
    {
        if (!batch.Any(e => e.Tags.Count > 0)) return;
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT INTO request_tags (tag, tagged_time, tagged_row)
            SELECT @tag, time, {rowId} FROM requests WHERE request_id = @request_id AND time = @time
            ON CONFLICT DO NOTHING
            """;
        var (tag, requestId, time) = (command.AddParameter("@tag", DbType.String), command.AddParameter("@request_id", DbType.String),
            command.AddParameter("@time", DbType.String));
        command.Prepare();
        foreach (var entry in batch)
        foreach (var value in entry.Tags)
        {
            (tag.Value, requestId.Value, time.Value) = (value, entry.RequestId, RequestLogWriter.FormatTime(entry.Time));
            command.ExecuteNonQuery();
        }
    }

    // The alias is the one the key had when the request was authenticated: a key's alias may change or the key go later.
    private static readonly LogColumn<RequestLogEntry>[] RequestColumns =
    [
        new("time", DbType.String, e => RequestLogWriter.FormatTime(e.Time)),
        new("request_id", DbType.String, e => e.RequestId),
        new("key_id", DbType.String, e => e.KeyId),
        new("key_prefix", DbType.String, e => e.KeyPrefix),
        new("key_alias", DbType.String, e => e.KeyAlias),
        new("requested_model", DbType.String, e => e.RequestedModel),
        new("routed_model", DbType.String, e => e.RoutedModel),
        new("provider", DbType.String, e => e.Provider),
        new("deployment", DbType.String, e => e.Deployment),
        new("status", DbType.Int32, e => e.Status),
        new("upstream_status", DbType.Int32, e => e.UpstreamStatus),
        new("error_origin", DbType.String, e => e.ErrorOrigin),
        new("prompt_tokens", DbType.Int32, e => e.PromptTokens),
        new("completion_tokens", DbType.Int32, e => e.CompletionTokens),
        new("cached_tokens", DbType.Int32, e => e.CachedTokens),
        new("cost", DbType.Double, e => (double)e.Cost),
        new("cache_hit", DbType.Int32, e => e.CacheHit ? 1 : 0),
        new("saved_cost", DbType.Double, e => (double)e.SavedCost),
        new("latency_ms", DbType.Double, e => e.LatencyMs),
        new("ttft_ms", DbType.Double, e => e.TtftMs),
        new("overhead_ms", DbType.Double, e => e.OverheadMs),
        new("attempts", DbType.Int32, e => e.Attempts.Count),
        new("upstream_error", DbType.String, e => e.UpstreamError),
        new("estimated", DbType.Int32, e => e.Estimated ? 1 : 0),
        new("metadata", DbType.String, e => e.Metadata),
        new("tags", DbType.String, e => TagsColumn.Write(e.Tags)),
        new("mocked", DbType.Int32, e => e.Mocked ? 1 : 0),
    ];

    private static readonly LogColumn<(string RequestId, AttemptLogEntry Attempt)>[] AttemptColumns =
    [
        new("request_id", DbType.String, r => r.RequestId),
        new("attempt", DbType.Int32, r => r.Attempt.Number),
        new("provider", DbType.String, r => r.Attempt.Provider),
        new("deployment", DbType.String, r => r.Attempt.Deployment),
        new("status", DbType.Int32, r => r.Attempt.Status),
        new("upstream_status", DbType.Int32, r => r.Attempt.UpstreamStatus),
        new("latency_ms", DbType.Double, r => r.Attempt.LatencyMs),
        new("error_origin", DbType.String, r => r.Attempt.ErrorOrigin),
        new("verdict", DbType.String, r => r.Attempt.Verdict),
    ];
}
