using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Threading.Channels;
using Router.Contracts.Configuration;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// Writes the request log off the request path. A request only calls <see cref="TryWrite"/>, which never
/// waits: when the bounded channel is full the entry is dropped and counted (one warning a minute says
/// how many). A background task writes what waits in one transaction every batch interval, or as
/// soon as <see cref="BatchRows"/> rows wait. Stopping (after Kestrel drained, hosted services stopping in
/// reverse order) writes everything still waiting. Once an hour rows older than the retention are deleted.
/// </summary>
public sealed class RequestLogWriter(
    RouterStorage storage, RequestLogSettings settings, TimeProvider clock, ILogger<RequestLogWriter> logger, int capacity = 10_000)
    : IHostedService
{
    public const int BatchRows = 500;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TimeSpan RetentionEvery = TimeSpan.FromHours(1);
    private static readonly TimeSpan WarnEvery = TimeSpan.FromMinutes(1);

    private readonly Channel<RequestLogEntry> _channel = Channel.CreateBounded<RequestLogEntry>(new BoundedChannelOptions(capacity)
    {
        FullMode = BoundedChannelFullMode.Wait, // TryWrite returns false instead of waiting
        SingleReader = true,
    });

    private Task? _loop;
    private long _dropped;
    private long _droppedSinceWarning;
    private long _lastWarning = long.MinValue;
    private long _batches;
    private DateTimeOffset _nextRetention;

    /// <summary>Entries dropped because the channel was full (or the writer had stopped).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Transactions written so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Hands an entry to the writer; never blocks. False when it was dropped.</summary>
    public bool TryWrite(RequestLogEntry entry)
    {
        if (_channel.Writer.TryWrite(entry)) return true;
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
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Writes everything still waiting, then ends.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
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
        var reader = _channel.Reader;
        var batch = new List<RequestLogEntry>();
        while (true)
        {
            await RetainIfDueAsync();
            bool more;
            try
            {
                using var idle = new CancellationTokenSource(RetentionEvery, clock);
                more = await reader.WaitToReadAsync(idle.Token);
            }
            catch (OperationCanceledException)
            {
                continue;
            }
            if (!more) break;

            var rows = 0;
            var deadline = clock.GetUtcNow() + settings.BatchInterval;
            while (true)
            {
                while (rows < BatchRows && reader.TryRead(out var entry))
                {
                    batch.Add(entry);
                    rows += entry.RowCount;
                }
                var remaining = deadline - clock.GetUtcNow();
                if (rows >= BatchRows || remaining <= TimeSpan.Zero || _stopping.Task.IsCompleted) break;
                // Look again every PollInterval rather than wake for each row: a wake-up per request would
                // cost the request path a thread-pool dispatch each, at thousands of requests a second.
                await Task.WhenAny(Task.Delay(remaining < PollInterval ? remaining : PollInterval, clock), _stopping.Task);
            }
            WriteBatchSafely(batch);
            batch.Clear();
        }
    }

    private void WriteBatchSafely(List<RequestLogEntry> batch)
    {
        try
        {
            WriteBatch(batch);
            Interlocked.Increment(ref _batches);
        }
        catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
        {
            logger.LogError(e, "Could not write {Count} request log entries: {Reason}", batch.Count, e.Message);
        }
    }

    private async Task RetainIfDueAsync()
    {
        if (clock.GetUtcNow() < _nextRetention) return;
        _nextRetention = clock.GetUtcNow() + RetentionEvery;
        try
        {
            var deleted = DeleteOlderThan(clock.GetUtcNow() - settings.Retention);
            if (deleted > 0) logger.LogInformation("Deleted {Count} request log rows older than {Retention}", deleted, settings.Retention);
        }
        catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
        {
            logger.LogError(e, "Could not delete old request log rows");
        }
        await Task.CompletedTask;
    }

    /// <summary>Deletes requests (and their attempts) older than <paramref name="cutoff"/>; returns how many requests.</summary>
    public int DeleteOlderThan(DateTimeOffset cutoff)
    {
        using var connection = storage.OpenLogConnection();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.AddParameter("@cutoff", FormatTime(cutoff));
        command.CommandText = "DELETE FROM request_attempts WHERE request_id IN (SELECT request_id FROM requests WHERE time < @cutoff)";
        command.ExecuteNonQuery();
        command.CommandText = "DELETE FROM requests WHERE time < @cutoff";
        var deleted = command.ExecuteNonQuery();
        transaction.Commit();
        return deleted;
    }

    /// <summary>Sortable as text, so time ranges are plain string comparisons.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private void WriteBatch(List<RequestLogEntry> batch)
    {
        if (batch.Count == 0) return;
        using var connection = storage.OpenLogConnection();
        using var transaction = connection.BeginTransaction();
        using var request = connection.CreateCommand();
        request.Transaction = transaction;
        // The alias as it is when the row is written: a key's alias may change or the key go later.
        request.CommandText = $"""
            INSERT INTO requests (time, request_id, key_id, key_prefix, key_alias, requested_model, routed_model, provider,
                deployment, status, upstream_status, error_origin, prompt_tokens, completion_tokens, cached_tokens, cost, cache_hit,
                saved_cost, latency_ms, ttft_ms, overhead_ms, attempts, upstream_error)
            VALUES (@time, @id, @key, @prefix, (SELECT alias FROM {storage.KeysTable} WHERE key_id = @key), @requested, @routed, @provider,
                @deployment, @status, @upstream_status, @origin, @prompt, @completion, @cached, @cost, @hit,
                @saved, @latency, @ttft, @overhead, @attempts, @upstream_error)
            """;
        // Each parameter keeps one type, so the statement is prepared once for the whole batch.
        var p = new Dictionary<string, DbParameter>();
        foreach (var (name, type) in new[]
                 {
                     ("@time", DbType.String), ("@id", DbType.String), ("@key", DbType.String), ("@prefix", DbType.String),
                     ("@requested", DbType.String), ("@routed", DbType.String), ("@provider", DbType.String), ("@deployment", DbType.String),
                     ("@status", DbType.Int32), ("@upstream_status", DbType.Int32), ("@origin", DbType.String), ("@prompt", DbType.Int32),
                     ("@completion", DbType.Int32), ("@cached", DbType.Int32), ("@cost", DbType.Double), ("@hit", DbType.Int32),
                     ("@saved", DbType.Double), ("@latency", DbType.Double), ("@ttft", DbType.Double), ("@overhead", DbType.Double),
                     ("@attempts", DbType.Int32), ("@upstream_error", DbType.String),
                 })
            p[name] = request.AddParameter(name, type);
        request.Prepare();

        using var attempt = connection.CreateCommand();
        attempt.Transaction = transaction;
        attempt.CommandText = """
            INSERT INTO request_attempts (request_id, attempt, provider, deployment, status, upstream_status, latency_ms,
                error_origin, verdict)
            VALUES (@id, @n, @provider, @deployment, @status, @upstream_status, @latency, @origin, @verdict)
            """;
        var a = new Dictionary<string, DbParameter>();
        foreach (var (name, type) in new[]
                 {
                     ("@id", DbType.String), ("@n", DbType.Int32), ("@provider", DbType.String), ("@deployment", DbType.String),
                     ("@status", DbType.Int32), ("@upstream_status", DbType.Int32), ("@latency", DbType.Double), ("@origin", DbType.String),
                     ("@verdict", DbType.String),
                 })
            a[name] = attempt.AddParameter(name, type);
        attempt.Prepare();

        foreach (var e in batch)
        {
            Set(p["@time"], FormatTime(e.Time));
            Set(p["@id"], e.RequestId);
            Set(p["@key"], e.KeyId);
            Set(p["@prefix"], e.KeyPrefix);
            Set(p["@requested"], e.RequestedModel);
            Set(p["@routed"], e.RoutedModel);
            Set(p["@provider"], e.Provider);
            Set(p["@deployment"], e.Deployment);
            Set(p["@status"], e.Status);
            Set(p["@upstream_status"], e.UpstreamStatus);
            Set(p["@origin"], e.ErrorOrigin);
            Set(p["@prompt"], e.PromptTokens);
            Set(p["@completion"], e.CompletionTokens);
            Set(p["@cached"], e.CachedTokens);
            Set(p["@cost"], (double)e.Cost);
            Set(p["@hit"], e.CacheHit ? 1 : 0);
            Set(p["@saved"], (double)e.SavedCost);
            Set(p["@latency"], e.LatencyMs);
            Set(p["@ttft"], e.TtftMs);
            Set(p["@overhead"], e.OverheadMs);
            Set(p["@attempts"], e.Attempts.Count);
            Set(p["@upstream_error"], e.UpstreamError);
            request.ExecuteNonQuery();

            foreach (var at in e.Attempts)
            {
                Set(a["@id"], e.RequestId);
                Set(a["@n"], at.Number);
                Set(a["@provider"], at.Provider);
                Set(a["@deployment"], at.Deployment);
                Set(a["@status"], at.Status);
                Set(a["@upstream_status"], at.UpstreamStatus);
                Set(a["@latency"], at.LatencyMs);
                Set(a["@origin"], at.ErrorOrigin);
                Set(a["@verdict"], at.Verdict);
                attempt.ExecuteNonQuery();
            }
        }
        transaction.Commit();
    }

    private static void Set(DbParameter parameter, object? value) => parameter.Value = value ?? DBNull.Value;
}
