using Akka.Actor;
using Akka.Event;
using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// The key's writes to its two stores, the journal (a child that may stop and be started again) and the replica,
/// and what waits on them: see <see cref="PendingWrites"/>.
/// </summary>
public sealed partial class KeyBudgetActor
{
    /// <summary>How many of the last counted requests' ids go with the usage a journal is given when it is back.</summary>
    private const int CaughtUpRequestIds = 1000;

    /// <summary>How long after its journal stopped the key starts a new one, at first; doubling up to <see cref="JournalRetryMax"/>.</summary>
    private static readonly TimeSpan JournalRetryFirst = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan JournalRetryMax = TimeSpan.FromSeconds(5);

    private int _journalRuns;
    private TimeSpan _journalRetry = JournalRetryFirst;
    // Policy changes given to the journal, in order, with whom to tell once written.
    private readonly Queue<(object Event, IActorRef Sender)> _policyWrites = new();

    // ---- Usage: written in groups, to the journal when it is there and to the replica in a pair.

    /// <summary>Writes what is unwritten, then answers once every write so far is done.</summary>
    private void AfterWriting(Action<IActorRef> answer, bool toBoth = false)
    {
        var sender = Sender;
        if (toBoth && _unwritten.Requests == 0 && _replica is not null) WriteOwnRunToBoth();
        WriteUnwritten(toBoth);
        _writes.AfterAll(() => answer(sender));
    }

    private void WriteUnwritten(bool toBoth)
    {
        if (_unwritten.Requests == 0) return;
        var usage = _unwritten.Take();
        var confirmations = _unconfirmed;
        _unconfirmed = [];
        // A confirmation is owed once both nodes have it, whichever write takes it.
        toBoth |= confirmations.Count > 0;
        // Without a journal to write to, a write is done once the replica has it; with neither, once a journal is back.
        var generation = _writes.Start(journalDone: !_journalReady && _replica is not null, replicaDone: _replica is null, confirmations);
        // A journal that is down or still reading back is given this later, with whatever else it lacks.
        if (_journalReady) _journal!.Tell(new KeyJournalActor.WriteUsage(usage, generation));
        _replica?.WriteUsage(_ownRun.Entry(), toBoth, generation, Self);
        _counted.Journaled(usage.RequestIds);
    }

    private void WriteOwnRunToBoth()
    {
        var generation = _writes.Start(journalDone: true, replicaDone: false, null);
        _replica!.WriteUsage(_ownRun.Entry(), toBoth: true, generation, Self);
    }

    private void ReplicaWrote(object request)
    {
        if (request is not KeyReplica.WriteRequest write) return;
        _writes.ReplicaWrote(write.Generation);
        WriteWaitingConfirmations();
    }

    /// <summary>Confirmations that came while writes were under way go now, together.</summary>
    private void WriteWaitingConfirmations()
    {
        if (_writes.IsEmpty && _unconfirmed.Count > 0) WriteUnwritten(toBoth: true);
    }

    /// <summary>Usage the replica lacks goes into this node's run's entry, written to both nodes at once.</summary>
    private void AddToOwnRun(KeyBudget.UsageRecorded usage, decimal periodCost)
    {
        _ownRun.Add(usage, periodCost, _state.Period.Start);
        WriteOwnRunToBoth();
    }

    // ---- The journal: started, stopped, started again, and given what it lacks.

    private void StartJournal()
    {
        _journalReady = false;
        _journal = Context.Watch(Context.ActorOf(KeyJournalActor.Props(_keyId, _clock), $"journal-{++_journalRuns}"));
    }

    /// <summary>Its database failed: the key goes on, and tries a new journal later.</summary>
    private void JournalStopped()
    {
        if (_journalReady || _journalRuns == 1)
            Context.GetLogger().Warning("The journal of key {0} stopped (its database failed); the key goes on{1}, and tries again in {2} s",
                _keyId, _replica is null ? "" : " from its replica", _journalRetry.TotalSeconds);
        _journal = null;
        _journalReady = false;
        _writes.JournalStopped(replicaKeepsThem: _replica is not null);
        while (_policyWrites.TryDequeue(out var waiting)) waiting.Sender.Tell(new KeyBudget.JournalUnavailable(_keyId));
        Timers.StartSingleTimer(nameof(StartJournalAgain), StartJournalAgain.Instance, _journalRetry);
        _journalRetry = TimeSpan.FromTicks(Math.Min(_journalRetry.Ticks * 2, JournalRetryMax.Ticks));
    }

    /// <summary>
    /// Gives a journal that has read back <paramref name="journaled"/> what was settled and it lacks, in one event;
    /// except the unwritten usage, which the next write gives it. False when it lacks nothing.
    /// </summary>
    private bool CatchUpJournal(KeyBudget.UsageRecorded journaled)
    {
        var missing = KeyUsage.Beyond(KeyUsage.Beyond(_state.Settled, _unwritten.Sums), journaled);
        if (KeyUsage.IsNone(missing)) return false;
        var generation = _writes.Start(journalDone: false, replicaDone: true, null);
        _journal!.Tell(new KeyJournalActor.WriteUsage(missing with { At = _clock.GetUtcNow(), RequestIds = [.. _counted.JournaledIds().TakeLast(CaughtUpRequestIds)] }, generation));
        return true;
    }

    // ---- Policy: the journal first (a change nobody can read back would be lost), then the replica.

    private void WritePolicy(object @event)
    {
        if (!_journalReady)
        {
            Sender.Tell(new KeyBudget.JournalUnavailable(_keyId));
            return;
        }
        _policyWrites.Enqueue((@event, Sender));
        _journal!.Tell(new KeyJournalActor.WritePolicy(@event));
    }

    private void PolicyWritten(KeyJournalActor.PolicyWritten written)
    {
        var (_, sender) = _policyWrites.Dequeue();
        if (written.Event is KeyBudget.KeyPolicySet set)
        {
            _state = _state.Apply(set);
            sender.Tell(new KeyBudget.Provisioned(_keyId));
        }
        else
        {
            _state = _state.Apply((KeyBudget.KeyDeleted)written.Event);
            sender.Tell(new KeyBudget.Deleted(_keyId));
        }
        if (_replica is not null) WritePolicyToReplica();
    }

    private void WritePolicyToReplica()
    {
        var generation = _writes.Start(journalDone: true, replicaDone: false, null);
        _replica!.WritePolicy(new KeyBudget.ReplicaPolicy(_state.Policy, _state.Deleted), generation, Self);
    }
}
