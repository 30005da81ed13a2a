namespace Router.Host.RequestLog;

/// <summary>
/// A batch the writer took from <see cref="WaitingRows"/>, still as bytes, made entries again a chunk at a time as its transaction
/// writes it: a whole batch of entries (up to a thousand, about 400 bytes each) alive through the 10–16 ms of its transaction
/// was what a garbage collection at 32 connections still copied of the log, some 300 of the 550 KB it kept; with the writer's
/// batches cut to 60 rows, the log kept no more than with it off (bench/README, issue 24). Chunks keep the one transaction a
/// batch, whose fixed cost (the rollups' upserts, the commit) is shared by its rows. Used by one thread at a time.
/// </summary>
public sealed class TakenBatch(WaitingRows from)
{
    /// <summary>Entries a chunk makes again; PostgreSQL's inserts of 50 rows a statement (<c>RowsPerInsert</c>) divide it.</summary>
    public const int ChunkEntries = 100;

    private readonly List<WaitingRows.Encoded> _taken = [];
    private readonly List<RequestLogEntry> _chunk = new(ChunkEntries);

    /// <summary>Entries taken.</summary>
    public int Count => _taken.Count;

    /// <summary>Rows the entries taken write (each its own and one per attempt).</summary>
    public int Rows { get; private set; }

    public void Add(WaitingRows.Encoded entry)
    {
        _taken.Add(entry);
        Rows += entry.Rows;
    }

    /// <summary>
    /// The entries in order, <see cref="ChunkEntries"/> at a time, in one list emptied and filled again for each chunk: what
    /// reads a chunk keeps none of it once it asks for the next.
    /// </summary>
    public IEnumerable<IReadOnlyList<RequestLogEntry>> Chunks()
    {
        _chunk.Clear();
        foreach (var entry in _taken)
        {
            _chunk.Add(from.Decode(entry));
            if (_chunk.Count < ChunkEntries) continue;
            yield return _chunk;
            _chunk.Clear();
        }
        if (_chunk.Count > 0) yield return _chunk;
        _chunk.Clear();
    }

    /// <summary>All the entries at once, for a batch the database did not take (it goes to the outbox).</summary>
    public List<RequestLogEntry> Entries() => _taken.ConvertAll(from.Decode);

    /// <summary>Gives the entries' bytes back to the pool and empties the batch.</summary>
    public void Clear()
    {
        foreach (var entry in _taken) from.Release(entry);
        _taken.Clear();
        Rows = 0;
    }
}
