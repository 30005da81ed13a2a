using System.Data;
using System.Data.Common;
using Router.Host.Storage;
using AttemptColumn = Router.Host.RequestLog.LogColumn<(string RequestId, Router.Host.RequestLog.AttemptLogEntry Attempt)>;
using RequestColumn = Router.Host.RequestLog.LogColumn<Router.Host.RequestLog.RequestLogEntry>;

namespace Router.Host.RequestLog;

/// <summary>How a batch of request log entries becomes rows of <c>requests</c> and <c>request_attempts</c>.</summary>
public static class RequestLogRows
{
    /// <summary>
    /// Inserts the entries, their attempts and their tags within <paramref name="transaction"/>, and adds them to
    /// <paramref name="rollups"/>, to the filters' values (<see cref="LogValues"/>) and to the names of the keys (<see cref="LogKeyNames"/>).
    /// </summary>
    public static void Insert(DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> batch, RouterStorage storage,
        RollupWriter? rollups = null) => Insert(connection, transaction, [batch], storage, rollups);

    /// <summary>
    /// The same for a batch given a chunk at a time (<see cref="TakenBatch"/>): each chunk's rows are inserted and it is summed
    /// before the next is asked for; the sums, values and names of the whole batch are written after its last chunk.
    /// </summary>
    public static void Insert(DbConnection connection, DbTransaction transaction, IEnumerable<IReadOnlyList<RequestLogEntry>> chunks,
        RouterStorage storage, RollupWriter? rollups = null)
    {
        var sums = rollups?.Begin();
        var (values, keyNames) = (LogValues.Newest(), LogValues.Newest());
        using var requests = new RowInserter<RequestLogEntry>(connection, transaction, "requests", RequestColumns, storage.RowsPerInsert);
        using var attemptRows = new RowInserter<(string, AttemptLogEntry)>(connection, transaction, "request_attempts", AttemptColumns,
            storage.RowsPerInsert);
        // No capacity asked: a batch of cache hits has no attempts, and an array the chunk's size would be made for none.
        var attempts = new List<(string RequestId, AttemptLogEntry Attempt)>();
        foreach (var chunk in chunks)
        {
            sums?.Add(connection, transaction, chunk);
            LogValues.Collect(values, chunk);
            LogKeyNames.Collect(keyNames, chunk);
            requests.Insert(chunk);
            attempts.Clear();
            foreach (var entry in chunk)
                for (var i = 0; i < entry.Attempts.Count; i++) attempts.Add((entry.RequestId, entry.Attempts[i]));
            attemptRows.Insert(attempts);
            InsertTags(connection, transaction, chunk, storage.RequestRowId);
        }
        sums?.Write(connection, transaction, storage.RowsPerInsert);
        LogValues.Write(connection, transaction, values);
        LogKeyNames.Write(connection, transaction, keyNames);
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
    private static readonly RequestColumn[] RequestColumns =
    [
        RequestColumn.Time("time", e => e.Time),
        RequestColumn.Text("request_id", e => e.RequestId),
        RequestColumn.Text("key_id", e => e.KeyId),
        RequestColumn.Text("key_prefix", e => e.KeyPrefix),
        RequestColumn.Text("key_alias", e => e.KeyAlias),
        RequestColumn.Text("requested_model", e => e.RequestedModel),
        RequestColumn.Text("routed_model", e => e.RoutedModel),
        RequestColumn.Text("provider", e => e.Provider),
        RequestColumn.Text("deployment", e => e.Deployment),
        RequestColumn.Integer("status", e => e.Status),
        RequestColumn.Integer("upstream_status", e => e.UpstreamStatus),
        RequestColumn.Text("error_origin", e => e.ErrorOrigin),
        RequestColumn.Integer("prompt_tokens", e => e.PromptTokens),
        RequestColumn.Integer("completion_tokens", e => e.CompletionTokens),
        RequestColumn.Integer("cached_tokens", e => e.CachedTokens),
        RequestColumn.Real("cost", e => (double)e.Cost),
        RequestColumn.Integer("cache_hit", e => e.CacheHit ? 1 : 0),
        RequestColumn.Real("saved_cost", e => (double)e.SavedCost),
        RequestColumn.Real("latency_ms", e => e.LatencyMs),
        RequestColumn.Real("ttft_ms", e => e.TtftMs),
        RequestColumn.Real("overhead_ms", e => e.OverheadMs),
        RequestColumn.Integer("attempts", e => e.Attempts.Count),
        RequestColumn.Text("upstream_error", e => e.UpstreamError),
        RequestColumn.Integer("estimated", e => e.Estimated ? 1 : 0),
        RequestColumn.Text("metadata", e => e.Metadata),
        RequestColumn.Text("tags", e => TagsColumn.Write(e.Tags)),
        RequestColumn.Integer("mocked", e => e.Mocked ? 1 : 0),
    ];

    private static readonly AttemptColumn[] AttemptColumns =
    [
        AttemptColumn.Text("request_id", r => r.RequestId),
        AttemptColumn.Integer("attempt", r => r.Attempt.Number),
        AttemptColumn.Text("provider", r => r.Attempt.Provider),
        AttemptColumn.Text("deployment", r => r.Attempt.Deployment),
        AttemptColumn.Integer("status", r => r.Attempt.Status),
        AttemptColumn.Integer("upstream_status", r => r.Attempt.UpstreamStatus),
        AttemptColumn.Real("latency_ms", r => r.Attempt.LatencyMs),
        AttemptColumn.Text("error_origin", r => r.Attempt.ErrorOrigin),
        AttemptColumn.Text("verdict", r => r.Attempt.Verdict),
    ];
}
