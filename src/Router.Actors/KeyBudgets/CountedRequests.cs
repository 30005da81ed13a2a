namespace Router.Actors.KeyBudgets;

/// <summary>
/// The requests whose usage a key has counted, so a settlement sent again counts once: every one not yet
/// written, and the last <paramref name="capacity"/> written ones (what is written and snapshotted, so the
/// memory survives recovery).
/// </summary>
internal sealed class CountedRequests(int capacity)
{
    private readonly HashSet<string> _counted = new(StringComparer.Ordinal);
    private readonly Queue<string> _journaled = new();

    public bool Contains(string requestId) => _counted.Contains(requestId);

    /// <summary>Counted now, written later.</summary>
    public void Add(string requestId) => _counted.Add(requestId);

    /// <summary>Written (or read back from the journal): kept, forgetting the oldest beyond the capacity.</summary>
    public void Journaled(IReadOnlyList<string>? requestIds)
    {
        if (requestIds is null) return;
        foreach (var id in requestIds)
        {
            _counted.Add(id);
            _journaled.Enqueue(id);
        }
        while (_journaled.Count > capacity) _counted.Remove(_journaled.Dequeue());
    }

    /// <summary>What a snapshot holds: the written ones only.</summary>
    public List<string> JournaledIds() => [.. _journaled];

    public void Clear()
    {
        _counted.Clear();
        _journaled.Clear();
    }
}
