namespace Router.Actors.KeyBudgets;

/// <summary>
/// A key's writes under way, oldest first, each going to two stores: the journal and the replica. A write is
/// done when both have it (or a store is down and the other has it); what waits on a write (a confirmation, a
/// state read, a hand-over) runs once it and every earlier write are done, so answers follow the order of writes.
/// </summary>
internal sealed class PendingWrites
{
    private readonly List<Write> _writes = [];
    private long _generation;

    public bool IsEmpty => _writes.Count == 0;

    /// <summary>A new write; <paramref name="journalDone"/> or <paramref name="replicaDone"/> when that store will not be asked.</summary>
    public long Start(bool journalDone, bool replicaDone, List<Action>? afterwards)
    {
        var write = new Write(++_generation) { JournalDone = journalDone, ReplicaDone = replicaDone };
        if (afterwards is not null) write.Afterwards.AddRange(afterwards);
        _writes.Add(write);
        return write.Generation;
    }

    /// <summary>Runs <paramref name="action"/> once every write started so far is done (at once when none is under way).</summary>
    public void AfterAll(Action action)
    {
        if (_writes.Count == 0) action();
        else _writes[^1].Afterwards.Add(action);
    }

    /// <summary>The journal wrote <paramref name="generation"/>: in order, so every earlier write too.</summary>
    public void JournalWrote(long generation)
    {
        foreach (var write in _writes)
            if (write.Generation <= generation) write.JournalDone = true;
        RunDone();
    }

    /// <summary>
    /// A new journal read back what the database holds: whatever was given to the one before is either in it or
    /// in what the new one is given now (computed from what it read), so no write waits for the old one any more.
    /// </summary>
    public void JournalReplaced()
    {
        foreach (var write in _writes) write.JournalDone = true;
        RunDone();
    }

    /// <summary>
    /// The journal stopped (its database failed): what it did not confirm is written to the next journal when one
    /// starts. With a replica, the writes count as done once the replica has them; without, they wait for that journal.
    /// </summary>
    public void JournalStopped(bool replicaKeepsThem)
    {
        if (!replicaKeepsThem) return;
        foreach (var write in _writes) write.JournalDone = true;
        RunDone();
    }

    /// <summary>The replica wrote <paramref name="generation"/> (or gave up on the peer: then this node has it).</summary>
    public void ReplicaWrote(long generation)
    {
        foreach (var write in _writes)
            if (write.Generation == generation) write.ReplicaDone = true;
        RunDone();
    }

    private void RunDone()
    {
        while (_writes.Count > 0 && _writes[0] is { JournalDone: true, ReplicaDone: true } done)
        {
            _writes.RemoveAt(0);
            foreach (var action in done.Afterwards) action();
        }
    }

    private sealed class Write(long generation)
    {
        public long Generation { get; } = generation;
        public bool JournalDone { get; set; }
        public bool ReplicaDone { get; set; }
        public List<Action> Afterwards { get; } = [];
    }
}
