using System.Diagnostics;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// Where each batch of the request log goes: straight to the database while it answers and nothing waits in
/// the outbox; otherwise into the outbox, behind what waits there, so that the database gets the batches in
/// the order they were made. <see cref="Drain"/> writes the outbox to the database oldest batch first, each in
/// one transaction, and forgets a batch only once its transaction committed. Used from the request log's
/// writer thread only.
/// </summary>
public sealed class RequestLogStore(RouterStorage storage, RequestLogOutbox outbox, ILogger logger, RollupWriter? rollups = null)
{
    private bool _outboxInUse;
    private long _keptRows;
    private long _batches;

    /// <summary>Rows waiting in the outbox for the database.</summary>
    public long OutboxRows => outbox.Rows;

    public bool OutboxIsEmpty => outbox.IsEmpty;

    /// <summary>Transactions written to the database so far, the outbox's included.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Says so when a previous run left rows in the outbox: they go first.</summary>
    public void Resume()
    {
        if (outbox.IsEmpty) return;
        _outboxInUse = true;
        _keptRows = outbox.Rows;
        logger.LogWarning("The request log's outbox {Path} holds {Rows} rows from before the last stop: they are written to the database first",
            outbox.Path, outbox.Rows);
    }

    /// <summary>Writes the batch to the database, or keeps it in the outbox when it cannot (or when older batches wait there).</summary>
    public void Store(IReadOnlyList<RequestLogEntry> batch) => Store(batch.Count, [batch], () => batch);

    /// <summary>The same for a batch taken from the waiting rows, made entries again a chunk at a time as it is written.</summary>
    public void Store(TakenBatch batch) => Store(batch.Count, batch.Chunks(), batch.Entries);

    private void Store(int count, IEnumerable<IReadOnlyList<RequestLogEntry>> chunks, Func<IReadOnlyList<RequestLogEntry>> entries)
    {
        if (count == 0) return;
        Exception? failure = null;
        if (outbox.IsEmpty)
        {
            try
            {
                Write(chunks);
                Interlocked.Increment(ref _batches);
                return;
            }
            catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
            {
                // The commit itself may have failed after the database committed: the replay finds the rows there.
                failure = e;
            }
        }
        Keep(entries(), failure);
    }

    /// <summary>
    /// Writes outbox batches to the database, oldest first, until the outbox is empty, the database fails, or
    /// <paramref name="budget"/> has passed (so that new rows are taken meanwhile). False when the database failed.
    /// </summary>
    public bool Drain(TimeSpan budget)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            while (outbox.Oldest() is { } batch)
            {
                if (RequestLogReplay.WriteOnce(storage, batch.Entries, rollups)) Interlocked.Increment(ref _batches);
                outbox.Remove(batch);
                if (Stopwatch.GetElapsedTime(started) >= budget) break;
            }
        }
        catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
        {
            logger.LogDebug("The request log's outbox could not be written to the database yet: {Reason}", e.Message);
            return false;
        }
        if (outbox.IsEmpty && _outboxInUse)
        {
            _outboxInUse = false;
            logger.LogInformation("The request log's outbox has drained: the {Rows} rows kept while the database did not answer are in it",
                _keptRows);
            _keptRows = 0;
        }
        return true;
    }

    private void Write(IEnumerable<IReadOnlyList<RequestLogEntry>> chunks)
    {
        using var connection = storage.OpenLogConnection();
        using var transaction = connection.BeginTransaction();
        RequestLogRows.Insert(connection, transaction, chunks, storage, rollups);
        transaction.Commit();
    }

    private void Keep(IReadOnlyList<RequestLogEntry> batch, Exception? failure)
    {
        var rows = batch.Sum(e => e.RowCount);
        try
        {
            outbox.Append(batch);
        }
        catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
        {
            logger.LogError(e, "Could not keep {Count} request log entries in the outbox {Path}: they are lost", batch.Count, outbox.Path);
            return;
        }
        _keptRows += rows;
        if (_outboxInUse) return;
        _outboxInUse = true;
        logger.LogWarning("The database does not take the request log ({Reason}): its rows are kept in {Path} until it does",
            failure?.Message ?? "unknown failure", outbox.Path);
    }
}
