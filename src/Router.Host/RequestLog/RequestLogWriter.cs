using System.Threading.Channels;
using Router.Contracts.Configuration;
using Router.Host.Memory;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// Writes the request log off the request path. A request only calls <see cref="WriteAsync"/>, which returns at
/// once while <see cref="WaitingRows"/> (bounded; entries wait there as bytes) has room; when it is full, it waits for room
/// (up to <see cref="FullWait"/>, then the entry is dropped and counted, one warning a minute saying how many). A background
/// task writes what waits in one transaction every batch interval, or as soon as <see cref="BatchRows"/> rows wait; the writing
/// itself runs on a <see cref="WorkThread"/> of low priority, so that it takes the CPU requests leave rather than showing in
/// their latency, until a backlog builds: then in larger batches at the requests' own priority (a saturated CPU leaves a
/// low-priority thread too little to keep up, and at 36,000 cache hits a second 63% of the rows were lost). A batch the database does
/// not take goes to the outbox in the data directory, and so does every batch after it until the outbox has
/// drained, which is tried every <see cref="DrainRetry"/> (see <see cref="RequestLogStore"/>); an outbox a
/// previous run left drains at start. Stopping (after Kestrel drained, hosted services stopping in
/// reverse order) writes everything still waiting, to the database or else to the outbox. Once an hour rows
/// older than the retention are deleted, <paramref name="retentionBatchRows"/> at a time with the waiting rows
/// written between two deletes, so a year's backlog never holds the writer (or SQLite's lock) for long.
/// </summary>
/// <param name="outboxPath">The outbox's file: <see cref="RequestLogOutbox.FileName"/> in the data directory.</param>
public sealed class RequestLogWriter(
    RouterStorage storage, RequestLogSettings settings, string outboxPath, TimeProvider clock, ILogger<RequestLogWriter> logger,
    int capacity = 10_000, int retentionBatchRows = RequestLogWriter.RetentionBatchRows)
    : IHostedService, IReleasesWhenIdle
{
    /// <summary>Old rows one retention statement deletes: a few tens of milliseconds of work on SQLite.</summary>
    public const int RetentionBatchRows = 5_000;

    // Rows a batch waits for before the interval is up. Small enough that rows do not wait in memory through many garbage
    // collections (each copies them) nor make one long batch; large enough that at one connection's pace (about 500 rows
    // each PollInterval) the rows found after a batch are not written at once in a small transaction of their own, whose
    // fixed cost (the rollups' upserts, the commit and its fsync) the requests' tail pays: 300 against 100 lowered the
    // one-connection p99 in 12 of 16 interleaved rounds (bench/README, issue 24).
    public const int BatchRows = 300;

    // Rows already waiting beyond a batch (the writer fell behind a burst) go in larger transactions, up to this many: a
    // transaction's own cost (its rollup upserts, its commit) is then shared by more rows, and no row waits longer for it.
    // 21 µs a row in batches of 100, 16 in batches of 1,000 (bench/README, issue 24).
    public const int BacklogBatchRows = 1_000;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TimeSpan RetentionEvery = TimeSpan.FromHours(1);
    private static readonly TimeSpan WarnEvery = TimeSpan.FromMinutes(1);
    /// <summary>How long a request's entry waits for room in a full channel before it is dropped.</summary>
    public static readonly TimeSpan FullWait = TimeSpan.FromSeconds(1);
    /// <summary>How soon the outbox is tried again after the database failed it.</summary>
    public static readonly TimeSpan DrainRetry = TimeSpan.FromSeconds(1);
    // Drain in slices, taking new rows between them: a long outbox drained at once would leave the channel
    // to fill, and the rows after it to be dropped.
    private static readonly TimeSpan DrainSlice = TimeSpan.FromMilliseconds(250);
    // What the outbox holds when stopping waits for the next start rather than hold up the shutdown.
    private static readonly TimeSpan StopDrainBudget = TimeSpan.FromSeconds(5);

    private readonly WaitingRows _waiting = new(capacity);

    // Batches are written on the low-priority thread, and on the catch-up thread at the requests' priority once a backlog
    // builds: a thread of its own rather than a thread-pool worker, which a batch (about 10 ms of CPU) would take from the
    // requests for its whole length (bench/README.md, issue 24).
    private WorkThread? _writer;
    private WorkThread? _catchUp;
    private Task? _loop;
    private long _dropped;
    private long _droppedSinceWarning;
    private long _lastWarning = long.MinValue;
    private RequestLogStore? _store;
    private DateTimeOffset _nextRetention;
    // The cutoff of the retention pass under way (null between passes), and the rows it has deleted so far.
    private DateTimeOffset? _retainBefore;
    private long _retained;
    private DateTimeOffset _nextDrain;

    /// <summary>Where each batch is added up as it is written (see <see cref="RollupWriter"/>).</summary>
    public RollupWriter Rollups { get; init; } = new("local");

    /// <summary>Entries dropped because the channel was full (or the writer had stopped).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Transactions written to the database so far, the outbox's included.</summary>
    public long Batches => _store?.Batches ?? 0;

    /// <summary>Rows kept in the outbox on this node's disk, waiting for the database to take them.</summary>
    public long OutboxRows => _store?.OutboxRows ?? 0;

    /// <summary>The arrays kept for entries to wait in are given up when traffic stops (<see cref="WaitingRows.ReleaseKept"/>).</summary>
    public void ReleaseIdleMemory() => _waiting.ReleaseKept();

    /// <summary>Hands an entry to the writer; never blocks. False when it was dropped.</summary>
    public bool TryWrite(RequestLogEntry entry)
    {
        var encoded = _waiting.Encode(entry);
        return _waiting.TryAdd(encoded) || Refused(encoded);
    }

    /// <summary>
    /// Hands an entry to the writer: at once while the channel has room. When it is full (the writer is behind a saturated
    /// CPU), waits up to <see cref="FullWait"/> for room, so that requests slow to the pace the log is written at rather
    /// than lose rows (at 36,000 cache hits a second, 63% of them were lost); dropped, and counted, only after that.
    /// </summary>
    public ValueTask<bool> WriteAsync(RequestLogEntry entry)
    {
        var encoded = _waiting.Encode(entry);
        return _waiting.TryAdd(encoded) ? ValueTask.FromResult(true) : WaitForRoomAsync(encoded);
    }

    private async ValueTask<bool> WaitForRoomAsync(WaitingRows.Encoded entry)
    {
        using var timeout = new CancellationTokenSource(FullWait, clock);
        try
        {
            await _waiting.AddAsync(entry, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            return Refused(entry);
        }
    }

    /// <summary>An entry that found no room: its bytes go back, and it is counted as dropped; false.</summary>
    private bool Refused(WaitingRows.Encoded entry)
    {
        _waiting.Release(entry);
        return Dropping();
    }

    /// <summary>Counts a dropped entry and warns, once a minute, how many were; false.</summary>
    private bool Dropping()
    {
        Interlocked.Increment(ref _dropped);
        Interlocked.Increment(ref _droppedSinceWarning);
        var now = clock.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarning);
        if ((last == long.MinValue || clock.GetElapsedTime(last, now) >= WarnEvery)
            && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            logger.LogWarning("The request log is full: {Dropped} rows dropped since the last warning (batch writes cannot keep up)",
                Interlocked.Exchange(ref _droppedSinceWarning, 0));
        }
        return false;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _nextRetention = clock.GetUtcNow();
        _nextDrain = clock.GetUtcNow();
        _store = new RequestLogStore(storage, RequestLogOutbox.Open(outboxPath), logger, Rollups);
        _store.Resume();
        _writer = new WorkThread("request-log-writer", lowPriority: true);
        _catchUp = new WorkThread("request-log-catch-up", lowPriority: false);
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Writes everything still waiting, then ends.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _waiting.Complete();
        _stopping.TrySetResult();
        if (_loop is null) return;
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("The request log could not write every waiting row before stopping");
        }
        var dropped = Interlocked.Exchange(ref _droppedSinceWarning, 0);
        if (dropped > 0) logger.LogWarning("The request log dropped {Dropped} rows since its last warning", dropped);
    }

    private async Task RunAsync()
    {
        var batch = new TakenBatch(_waiting);
        while (true)
        {
            await RetainIfDueAsync();
            await DrainIfDueAsync();
            var idle = IdleWait();
            if (idle > TimeSpan.Zero)
            {
                bool more;
                try
                {
                    using var timeout = new CancellationTokenSource(idle, clock);
                    more = await _waiting.WaitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    continue;
                }
                if (!more) break;
                await TakeBatchAsync(batch, clock.GetUtcNow() + settings.BatchInterval);
                await StoreAsync(batch);
            }
            else
            {
                if (_waiting.Completion.IsCompleted) break;
                // The outbox is catching up (or old rows are being deleted): what waits now is written at once, and the drain goes on.
                for (var waiting = _waiting.Count; waiting > 0;)
                {
                    await TakeBatchAsync(batch, deadline: DateTimeOffset.MinValue);
                    if (batch.Count == 0) break;
                    waiting -= batch.Count;
                    await StoreAsync(batch);
                }
            }
        }
        await _writer!.RunAsync(DrainBeforeStopping);
        _writer.Dispose(); // nothing is queued to either any more
        _catchUp!.Dispose();
    }

    /// <summary>Takes waiting rows into <paramref name="batch"/> until it is full or <paramref name="deadline"/> has passed.</summary>
    private async Task TakeBatchAsync(TakenBatch batch, DateTimeOffset deadline)
    {
        var limit = _waiting.Count > BatchRows ? BacklogBatchRows : BatchRows;
        while (true)
        {
            while (batch.Rows < limit && _waiting.TryTake(out var entry)) batch.Add(entry);
            var remaining = deadline - clock.GetUtcNow();
            if (batch.Rows >= BatchRows || remaining <= TimeSpan.Zero || _stopping.Task.IsCompleted) return;
            // Look again every PollInterval rather than wake for each row: a wake-up per request would
            // cost the request path a thread-pool dispatch each, at thousands of requests a second.
            await Task.WhenAny(Task.Delay(remaining < PollInterval ? remaining : PollInterval, clock), _stopping.Task);
        }
    }

    private async Task StoreAsync(TakenBatch batch)
    {
        void Store()
        {
            var outboxWasEmpty = _store!.OutboxIsEmpty;
            _store.Store(batch);
            // The database has just failed: it is not asked again at once.
            if (outboxWasEmpty && !_store.OutboxIsEmpty) _nextDrain = clock.GetUtcNow() + DrainRetry;
        }

        // A tenth of the channel waiting: the low-priority thread gets too little of a saturated CPU to keep up, and the
        // channel would fill. The batch is written on the catch-up thread instead, at the requests' own priority, so that the
        // log takes its share.
        if (_waiting.Count >= capacity / 10) await _catchUp!.RunAsync(Store);
        else await _writer!.RunAsync(Store);
        batch.Clear();
    }

    /// <summary>How long to wait for rows before the next drain (or, with an empty outbox, the next retention pass) is due.</summary>
    private TimeSpan IdleWait()
    {
        // A retention pass under way deletes its next batch as soon as the waiting rows are written.
        if (_retainBefore is not null) return TimeSpan.Zero;
        if (_store!.OutboxIsEmpty) return RetentionEvery;
        var untilDrain = _nextDrain - clock.GetUtcNow();
        return untilDrain > TimeSpan.Zero ? untilDrain : TimeSpan.Zero;
    }

    private Task DrainIfDueAsync()
    {
        if (_store!.OutboxIsEmpty || clock.GetUtcNow() < _nextDrain) return Task.CompletedTask;
        return _writer!.RunAsync(() =>
            _nextDrain = _store.Drain(DrainSlice) ? clock.GetUtcNow() : clock.GetUtcNow() + DrainRetry);
    }

    private void DrainBeforeStopping()
    {
        if (_store!.OutboxIsEmpty) return;
        _store.Drain(StopDrainBudget);
        if (!_store.OutboxIsEmpty)
            logger.LogWarning("{Rows} request log rows stay in the outbox: they are written to the database after the next start", _store.OutboxRows);
    }

    /// <summary>Deletes the next batch of rows older than the retention, starting a pass once an hour.</summary>
    private Task RetainIfDueAsync()
    {
        if (_retainBefore is null)
        {
            if (clock.GetUtcNow() < _nextRetention) return Task.CompletedTask;
            _nextRetention = clock.GetUtcNow() + RetentionEvery;
            _retainBefore = clock.GetUtcNow() - settings.Retention;
            _retained = 0;
        }
        var cutoff = _retainBefore.Value;
        return _writer!.RunAsync(() =>
        {
            try
            {
                var deleted = DeleteBatchOlderThan(cutoff, retentionBatchRows);
                _retained += deleted;
                if (deleted >= retentionBatchRows) return;   // more may be left: deleted after the rows waiting now
            }
            catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
            {
                logger.LogError(e, "Could not delete old request log rows");
            }
            if (_retained > 0) logger.LogInformation("Deleted {Count} request log rows older than {Retention}", _retained, settings.Retention);
            _retainBefore = null;
        });
    }

    /// <summary>Deletes requests (and their attempts) older than <paramref name="cutoff"/>, batch by batch; returns how many requests.</summary>
    public long DeleteOlderThan(DateTimeOffset cutoff, int batchRows = RetentionBatchRows)
    {
        long total = 0;
        int deleted;
        do total += deleted = DeleteBatchOlderThan(cutoff, batchRows);
        while (deleted >= batchRows);
        return total;
    }

    /// <summary>
    /// Deletes the oldest <paramref name="batchRows"/> requests older than <paramref name="cutoff"/> (and their attempts) in one
    /// transaction: those up to the batch's newest time, read from the time index, so more only when several share that time.
    /// Returns how many requests; fewer than <paramref name="batchRows"/> means none older is left.
    /// </summary>
    public int DeleteBatchOlderThan(DateTimeOffset cutoff, int batchRows)
    {
        using var connection = storage.OpenLogConnection();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.AddParameter("@cutoff", FormatTime(cutoff));
        command.AddParameter("@batch", batchRows);
        command.CommandText = "SELECT MAX(time) FROM (SELECT time FROM requests WHERE time < @cutoff ORDER BY time LIMIT @batch) oldest";
        var deleted = 0;
        if (command.ExecuteScalar() is string bound)
        {
            command.AddParameter("@bound", bound);
            command.CommandText = "DELETE FROM request_attempts WHERE request_id IN (SELECT request_id FROM requests WHERE time <= @bound)";
            command.ExecuteNonQuery();
            command.CommandText = "DELETE FROM request_tags WHERE tagged_time <= @bound";
            command.ExecuteNonQuery();
            command.CommandText = "DELETE FROM requests WHERE time <= @bound";
            deleted = command.ExecuteNonQuery();
        }
        // The pass is over: the filters' values and the keys' names last logged before the cutoff have no row left.
        if (deleted < batchRows)
        {
            LogValues.Prune(command, FormatTime(cutoff));
            LogKeyNames.Prune(command, FormatTime(cutoff));
        }
        transaction.Commit();
        return deleted;
    }

    /// <summary>Sortable as text, so time ranges are plain string comparisons: <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>.</summary>
    public static string FormatTime(DateTimeOffset time) => string.Create(TimeLength, time, static (text, t) => WriteTime(text, t));

    /// <summary>The length of <see cref="FormatTime"/>'s text.</summary>
    public const int TimeLength = 24;

    /// <summary>
    /// Writes <see cref="FormatTime"/>'s text into the first <see cref="TimeLength"/> characters of <paramref name="text"/>, digit by
    /// digit: every row's time is written at least once, and the custom format <c>yyyy-MM-dd'T'HH:mm:ss.fff'Z'</c>, parsed anew on
    /// each call, took 115 ns a time against these 41.
    /// </summary>
    public static void WriteTime(Span<char> text, DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        "0000-00-00T00:00:00.000Z".CopyTo(text);
        Digits(text[..4], utc.Year);
        Digits(text[5..7], utc.Month);
        Digits(text[8..10], utc.Day);
        Digits(text[11..13], utc.Hour);
        Digits(text[14..16], utc.Minute);
        Digits(text[17..19], utc.Second);
        Digits(text[20..23], utc.Millisecond);
    }

    /// <summary>Writes <paramref name="value"/> in decimal, zero-padded to the span's length.</summary>
    private static void Digits(Span<char> text, int value)
    {
        for (var i = text.Length - 1; i >= 0; i--, value /= 10) text[i] = (char)('0' + value % 10);
    }
}
