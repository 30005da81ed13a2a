// What the request log's writer spends a row on SQLite, by part: rows of cache hits, as bench/log-keeps-up sends them, or of
// answers from a provider at their first attempt (bench/run's distinct requests), written through the writer's own
// RequestLogRows.Insert into a fresh database, a transaction a batch, in one thread. Parts:
//   all        the writer as it is (rows, attempts, tags, the filters' values, the rollups)
//   norollup   without the rollups
//   noindex    without the rollups and the indexes of the log's filters (requests_<column>_time)
//   bare       without those and the time and request id indexes either
// Usage: dotnet bench/LogWriter/bin/Release/net10.0/LogWriter.dll [rows, default 300000] [rows a batch, default 1000] [part, default all]
//        [hit|miss, default hit]
using System.Diagnostics;
using Router.Host.RequestLog;
using Router.Host.Storage;

var rows = args.Length > 0 ? int.Parse(args[0]) : 300_000;
var batchRows = args.Length > 1 ? int.Parse(args[1]) : 1_000;
var part = args.Length > 2 ? args[2] : "all";
var kind = args.Length > 3 ? args[3] : "hit";
Func<DateTimeOffset, int, RequestLogEntry> make = kind switch
{
    "hit" => Hit,
    "miss" => Miss,
    _ => throw new ArgumentException($"rows of '{kind}': hit or miss"),
};
var dataDir = Directory.CreateTempSubdirectory("router-bench-logwriter-").FullName;
try
{
    var storage = new SqliteStorage(dataDir);
    storage.Prepare();
    if (part is "noindex" or "bare") DropIndexes(storage, part == "bare");
    var rollups = part == "all" ? new RollupWriter("local") : null;
    var start = DateTimeOffset.UtcNow;
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    for (var written = 0; written < rows; written += batchRows)
    {
        var batch = Enumerable.Range(written, batchRows).Select(n => make(start, n)).ToList();
        using var connection = storage.OpenLogConnection();
        using var transaction = connection.BeginTransaction();
        RequestLogRows.Insert(connection, transaction, batch, storage, rollups);
        transaction.Commit();
    }
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    Console.WriteLine($"{part}, {kind} rows, batches of {batchRows}: {wall.Elapsed.TotalMicroseconds / rows:F1} µs a row elapsed, " +
                      $"{cpu.TotalMicroseconds / rows:F1} µs CPU, making the rows included; {rows} rows");
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(dataDir, recursive: true);
}

// What every row shares: one key and model, a success of 14 prompt and 9 completion tokens.
static RequestLogEntry Row(DateTimeOffset time, int n) => new()
{
    Time = time, RequestId = $"req_0123456789abcdef{n:x12}", KeyId = "key_0123456789abcdef", KeyPrefix = "sk-...abcd",
    KeyAlias = "bench", RequestedModel = "bench-model", RoutedModel = "bench-model", Status = 200, PromptTokens = 14, CompletionTokens = 9,
};

// A cache hit 260 µs after the one before it (about what 32 connections send).
static RequestLogEntry Hit(DateTimeOffset start, int n) => Row(start.AddTicks(n * 2_600L), n) with
{
    CacheHit = true, Cache = "hit", SavedCost = 0.000042m, LatencyMs = 0.3, OverheadMs = 0.3,
};

// A provider's answer at the first attempt, as 32 connections of distinct budgeted requests make them.
static RequestLogEntry Miss(DateTimeOffset start, int n) => Row(start.AddTicks(n * 620L), n) with
{
    Provider = "mock", Deployment = "mock:bench-model", UpstreamStatus = 200, Cache = "bypass", Cost = 0.000006m, LatencyMs = 1.7,
    OverheadMs = 0.4, Attempts = [new AttemptLogEntry(1, "mock", "mock:bench-model", 200, 200, 1.3, null, "final")],
};

static void DropIndexes(RouterStorage storage, bool timeAndRequestIdToo)
{
    using var connection = storage.OpenLogConnection();
    using var command = connection.CreateCommand();
    foreach (var column in new[] { "key_id", "routed_model", "rerouted_model", "provider_set", "failed_status" })
    {
        command.CommandText = $"DROP INDEX requests_{column}_time";
        command.ExecuteNonQuery();
    }
    if (!timeAndRequestIdToo) return;
    command.CommandText = "DROP INDEX requests_time; DROP INDEX requests_request_id";
    command.ExecuteNonQuery();
}
