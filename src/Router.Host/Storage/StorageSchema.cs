namespace Router.Host.Storage;

/// <summary>
/// The router's own tables, in SQL both SQLite and PostgreSQL take, but for words each dialect gives:
/// its floating-point type, its text type for times (ISO 8601 UTC of one fixed width, so ranges and
/// order are plain comparisons of text: PostgreSQL must then compare bytes, not a locale's collation),
/// and SQLite's <c>WITHOUT ROWID</c> for the rollups.
/// </summary>
public static class StorageSchema
{
    /// <summary>Never a secret: the hash of a key and a prefix safe to show.</summary>
    public static string VirtualKeys(string timeText) => $"""
        CREATE TABLE IF NOT EXISTS virtual_keys (
            key_id         TEXT PRIMARY KEY,
            secret_hash    TEXT NOT NULL UNIQUE,
            display_prefix TEXT NOT NULL,
            alias          TEXT UNIQUE,
            created_at     {timeText} NOT NULL
        );
        """;

    /// <summary>
    /// Responses of the Responses API that the router answered by translation and keeps for <c>previous_response_id</c>
    /// and <c>GET /v1/responses/{id}</c>: the response as sent, and the conversation so far as input items. Only the key
    /// that made one may read it; it is gone after <c>router.responses.retention</c>.
    /// </summary>
    public static string StoredResponses(string timeText) => $"""
        CREATE TABLE IF NOT EXISTS stored_responses (
            response_id  TEXT NOT NULL,
            key_id       TEXT NOT NULL,
            expires_at   {timeText} NOT NULL,
            response     TEXT NOT NULL,
            conversation TEXT NOT NULL,
            -- A response's id comes from the request's id, which a caller may choose: each key has its own ids.
            PRIMARY KEY (key_id, response_id)
        );
        CREATE INDEX IF NOT EXISTS stored_responses_expires_at ON stored_responses (expires_at);
        """;

    /// <summary>
    /// Columns added to <c>requests</c> after its first release, which a database made before them lacks:
    /// each storage adds those missing when it starts (SQLite has no <c>ADD COLUMN IF NOT EXISTS</c>).
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string Definition)> AddedRequestColumns =
    [
        // The usage was counted by the router (the provider reported none, or the answer ended early).
        ("estimated", "INTEGER NOT NULL DEFAULT 0"),
        // LiteLLM's request metadata (a JSON object) and tags (a JSON array of strings), and whether mock_response answered.
        ("metadata", "TEXT"),
        ("tags", "TEXT"),
        ("mocked", "INTEGER NOT NULL DEFAULT 0"),
    ];

    /// <summary>
    /// The indexes of the filters of <c>/spend/logs</c> and the request explorer, the time (then the row id) last: a filter and
    /// the time order are one range of one index, so a page costs the same however deep. <paramref name="rowIdTail"/> adds the
    /// row id where the database does not end every index with it (PostgreSQL: <c>", id"</c>; SQLite: empty). Every index is a
    /// B-tree insert for each row the writer adds, the largest part of a row's cost (<c>bench/LogWriter</c>), so a row is kept
    /// out of those its filters can do without:
    /// <list type="bullet">
    /// <item>a key's alias and display prefix have none: the filter finds the key's ids in <c>request_log_keys</c> and reads
    /// <c>requests_key_id_time</c> for each;</item>
    /// <item>the requested model only where it is not the routed one (<see cref="Rerouted"/>): the model filter reads the
    /// routed model's index and this one;</item>
    /// <item>the provider only where there is one (a cache hit has none); the status only where it is not 200 (<see
    /// cref="NotOk"/>): the successes are most rows, and a filter for them reads the time index, where they are dense.</item>
    /// </list>
    /// Tags have none: a tag is looked for in <c>request_tags</c>.
    /// </summary>
    public static string RequestLogIndexes(string rowIdTail) =>
        string.Concat(RetiredRequestLogIndexes.Select(name => $"DROP INDEX IF EXISTS {name};\n"))
        + $"""
          CREATE INDEX IF NOT EXISTS requests_key_id_time ON requests (key_id, time{rowIdTail});
          CREATE INDEX IF NOT EXISTS requests_routed_model_time ON requests (routed_model, time{rowIdTail});
          CREATE INDEX IF NOT EXISTS requests_rerouted_model_time ON requests (requested_model, time{rowIdTail}) WHERE {Rerouted};
          CREATE INDEX IF NOT EXISTS requests_provider_set_time ON requests (provider, time{rowIdTail}) WHERE provider IS NOT NULL;
          CREATE INDEX IF NOT EXISTS requests_failed_status_time ON requests (status, time{rowIdTail}) WHERE {NotOk};

          """;

    /// <summary>
    /// The condition of the requested model's partial index, which a query must state as written for the database to use it
    /// (neither SQLite nor PostgreSQL proves it from <c>requested_model = @model</c>).
    /// </summary>
    public const string Rerouted = "requested_model IS DISTINCT FROM routed_model";

    /// <summary>The condition of the status's partial index, stated by a query for any other status than 200.</summary>
    public const string NotOk = "status <> 200";

    /// <summary>
    /// Indexes earlier versions made, which a row no longer pays for: the key's alias and prefix (<c>request_log_keys</c> instead)
    /// and the full indexes the partial ones replace.
    /// </summary>
    private static readonly string[] RetiredRequestLogIndexes =
    [
        "requests_key_alias_time", "requests_key_prefix_time", "requests_requested_model_time", "requests_provider_time",
        "requests_status_time",
    ];

    /// <summary>One row per request and one per attempt (see <c>RequestLogWriter</c>).</summary>
    public static string RequestLog(string real, string timeText) => $"""
        CREATE TABLE IF NOT EXISTS requests (
            time               {timeText} NOT NULL,
            request_id         TEXT NOT NULL,
            key_id             TEXT,
            key_prefix         TEXT,
            key_alias          TEXT,
            requested_model    TEXT,
            routed_model       TEXT,
            provider           TEXT,
            deployment         TEXT,
            status             INTEGER NOT NULL,
            upstream_status    INTEGER,
            error_origin       TEXT,
            prompt_tokens      INTEGER NOT NULL,
            completion_tokens  INTEGER NOT NULL,
            cached_tokens      INTEGER NOT NULL,
            cost               {real} NOT NULL,
            cache_hit          INTEGER NOT NULL,
            saved_cost         {real} NOT NULL,
            latency_ms         {real} NOT NULL,
            ttft_ms            {real},
            overhead_ms        {real} NOT NULL,
            attempts           INTEGER NOT NULL,
            upstream_error     TEXT,
            estimated          INTEGER NOT NULL DEFAULT 0,
            metadata           TEXT,
            tags               TEXT,
            mocked             INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX IF NOT EXISTS requests_time ON requests (time);
        -- Not unique: a caller may send the same x-request-id twice, and both requests are kept.
        CREATE INDEX IF NOT EXISTS requests_request_id ON requests (request_id);
        CREATE TABLE IF NOT EXISTS request_attempts (
            request_id      TEXT NOT NULL,
            attempt         INTEGER NOT NULL,
            provider        TEXT,
            deployment      TEXT,
            status          INTEGER NOT NULL,
            upstream_status INTEGER,
            latency_ms      {real} NOT NULL,
            error_origin    TEXT,
            verdict         TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS request_attempts_request_id ON request_attempts (request_id);
        -- Which keys were logged under a name (an alias or a display prefix), for the key filter (LogKeyNames).
        CREATE TABLE IF NOT EXISTS request_log_keys (
            name      TEXT NOT NULL,
            key_id    TEXT NOT NULL,
            last_seen {timeText} NOT NULL,
            PRIMARY KEY (name, key_id)
        );
        -- What the explorer's filters offer (LogValues); values compare as bytes, as times do.
        CREATE TABLE IF NOT EXISTS request_log_values (
            kind      TEXT NOT NULL,
            value     {timeText} NOT NULL,
            last_seen {timeText} NOT NULL,
            PRIMARY KEY (kind, value)
        );
        """;

    /// <summary>
    /// The tags of each request, a row per tag, in the order of the log's pages: the index the tag filter reads (<c>requests</c>
    /// keeps a request's tags as one JSON array, which no index can look into). <c>tagged_time</c> and <c>tagged_row</c> are the
    /// request's time and row id (SQLite's <c>rowid</c>, PostgreSQL's <c>id</c>), named apart from <c>requests</c>' columns so
    /// that a page joining the two names each column once. The time index serves retention's deletes.
    /// </summary>
    public static string RequestTags(string timeText, string rowOptions) => $"""
        CREATE TABLE IF NOT EXISTS request_tags (
            tag         TEXT NOT NULL,
            tagged_time {timeText} NOT NULL,
            tagged_row  BIGINT NOT NULL,
            PRIMARY KEY (tag, tagged_time, tagged_row)
        ){rowOptions};
        CREATE INDEX IF NOT EXISTS request_tags_tagged_time ON request_tags (tagged_time);

        """;

    /// <summary>
    /// Request log totals per minute, hour, day and month (see <c>RollupWriter</c>), added to as rows are written; <c>node</c>
    /// is in the key so that each node of a pair adds to rows of its own. Each width has a table by model (provider, status,
    /// error origin, cache) and one by key (and cache): a row per key and model made a day of a busy log thousands of rows
    /// long. The tables that grouped by both at once (<c>request_rollups_minute</c>, <c>_hour</c>, <c>_day</c>) keep the days up
    /// to the one named by <c>request_rollup_state</c>'s <c>split</c> row, the newest day they held when the split tables came
    /// ('' on a new database), and are read only for those. Latencies are counted in fixed buckets (<c>LatencyHistogram</c>),
    /// stored as text of the non-empty ones (<c>HistogramText</c>): <c>lat</c> total, <c>ttft</c> time to first token (streamed
    /// requests only), <c>ovh</c> the router's overhead. <c>request_rollup_state</c> also remembers the newest day counted before
    /// the month tables came (<c>months</c>: only later months are whole in them) and the one-time backfill from rows written
    /// before rollups existed.
    /// </summary>
    /// <param name="rowOptions">
    /// What follows the table's definition: SQLite's <c>" WITHOUT ROWID"</c> keeps each row once, in its key's B-tree, where
    /// a table with row ids writes it to the table and to the key's index; PostgreSQL has no such option (<c>""</c>).
    /// </param>
    public static string RequestRollups(string real, string timeText, string rowOptions) =>
        string.Concat(new[] { "minute", "hour", "day" }.Select(width => RollupTable($"request_rollups_{width}", real, timeText, rowOptions)))
        + string.Concat(new[] { "minute", "hour", "day", "month" }.Select(width =>
            RollupTable($"request_rollups_{width}_by_model", real, timeText, rowOptions, ByModel)
            + RollupTable($"request_rollups_{width}_by_key", real, timeText, rowOptions, ByKey))) + """
            CREATE TABLE IF NOT EXISTS request_rollup_state (
                name  TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            INSERT INTO request_rollup_state (name, value)
            SELECT 'split', COALESCE(MAX(bucket), '') FROM request_rollups_day WHERE true
            ON CONFLICT (name) DO NOTHING;
            INSERT INTO request_rollup_state (name, value)
            SELECT 'months', COALESCE(MAX(bucket), '')
            FROM (SELECT MAX(bucket) AS bucket FROM request_rollups_day UNION ALL SELECT MAX(bucket) FROM request_rollups_day_by_model) newest
            WHERE true
            ON CONFLICT (name) DO NOTHING;

            """;

    private static readonly string[] Combined = ["model", "provider", "key_id", "status", "error_origin", "cache_hit"];
    private static readonly string[] ByModel = ["model", "provider", "status", "error_origin", "cache_hit"];
    private static readonly string[] ByKey = ["key_id", "cache_hit"];

    /// <param name="keys">The columns a row is grouped by after its bucket and node; by default all of them.</param>
    public static string RollupTable(string table, string real, string timeText, string rowOptions, string[]? keys = null)
    {
        keys ??= Combined;
        var keyColumns = keys.Select(k => $"    {k,-18}{(k is "status" or "cache_hit" ? "INTEGER" : "TEXT")} NOT NULL,\n");
        return $"""
            CREATE TABLE IF NOT EXISTS {table} (
                bucket            {timeText} NOT NULL,
                node              TEXT NOT NULL,
            {string.Concat(keyColumns)}    requests          INTEGER NOT NULL,
                prompt_tokens     INTEGER NOT NULL,
                completion_tokens INTEGER NOT NULL,
                cost              {real} NOT NULL,
                saved_cost        {real} NOT NULL,
                errors            INTEGER NOT NULL,
                lat               TEXT NOT NULL,
                ttft              TEXT NOT NULL,
                ovh               TEXT NOT NULL,
                PRIMARY KEY (bucket, node, {string.Join(", ", keys)})
            ){rowOptions};

            """;
    }
}
