using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// A key's journal (Akka.Persistence: the router's storage): the child of the key's <see cref="KeyBudgetActor"/>
/// that writes what its parent decided and reads it all back when the key starts. It keeps its own copy of what
/// the journal holds, to snapshot it and to tell the parent what the journal has after a recovery.
/// <para>
/// It is a child because a journal that fails (PostgreSQL down) stops the persistent actor that wrote to it:
/// the parent outlives that, goes on serving the key from what it holds and its replica, and starts a new
/// journal later, which reads back what was written and is given what was not.
/// </para>
/// <para>
/// The journal stays small: once a snapshot is saved, the events it covers and the snapshots before it are deleted,
/// so a key's storage is bounded by <see cref="EventsPerSnapshot"/> and <see cref="RequestIdsPerSnapshot"/>, not by its
/// traffic. The request log is the audit trail of spend; the journal only has to rebuild the key's totals.
/// </para>
/// </summary>
public sealed class KeyJournalActor : ReceivePersistentActor
{
    /// <summary>At most this many events follow the latest snapshot (and so stay in the journal).</summary>
    public const int EventsPerSnapshot = 1000;

    /// <summary>
    /// At most about this many request ids ride in the events after the latest snapshot. A usage event carries the ids it
    /// settled, so that a settlement sent again after a crash counts once: a busy key's events grow with its rate (a thousand
    /// ids, 40 KB, every 100 ms at 10,000 requests a second, 40 MB before the thousandth event). This bounds them in bytes too.
    /// </summary>
    public const int RequestIdsPerSnapshot = 10 * KeyBudgetActor.RememberedRequests;

    private readonly string _keyId;
    private readonly TimeProvider _clock;
    private readonly CountedRequests _counted = new(KeyBudgetActor.RememberedRequests);
    // What the journal holds, folded by the same rules as the key's actor (its policy, deletion, settled usage and period).
    private KeyBudgetState _state = KeyBudgetState.Empty;
    // Events written or read back since the latest snapshot: a policy event counts too, so none falls between two snapshots.
    private int _sinceSnapshot;
    // Request ids those events carry.
    private int _idsSinceSnapshot;

    public KeyJournalActor(string keyId, TimeProvider clock)
    {
        _keyId = keyId;
        _clock = clock;

        Recover<KeyBudget.PolicySet>(set =>
        {
            _state = _state with { Policy = new KeyPolicy("", "", set.AllowedModels) };
            _sinceSnapshot++;
        });
        Recover<KeyBudget.KeyPolicySet>(set =>
        {
            _state = _state.Apply(set);
            _sinceSnapshot++;
        });
        Recover<KeyBudget.KeyDeleted>(deleted =>
        {
            _state = _state.Apply(deleted);
            _sinceSnapshot++;
        });
        Recover<KeyBudget.UsageRecorded>(recorded =>
        {
            ApplyUsage(recorded);
            _sinceSnapshot++;
        });
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is KeyBudget.Totals totals) Restore(totals);
            (_sinceSnapshot, _idsSinceSnapshot) = (0, 0);
        });
        Recover<RecoveryCompleted>(_ => Context.Parent.Tell(new Recovered(Totals())));

        Command<WriteUsage>(write => PersistAsync(write.Usage, written =>
        {
            ApplyUsage(written);
            SnapshotIfDue();
            Context.Parent.Tell(new UsageWritten(write.Generation));
        }));
        Command<WritePolicy>(write => Persist(write.Event, written =>
        {
            _state = written is KeyBudget.KeyPolicySet set ? _state.Apply(set) : _state.Apply((KeyBudget.KeyDeleted)written);
            SnapshotIfDue();
            Context.Parent.Tell(new PolicyWritten(write.Event));
        }));
        Command<SaveSnapshotSuccess>(saved => ForgetBefore(saved.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(failure =>
            Context.GetLogger().Warning(failure.Cause, "Snapshot of key budget {0} failed; the journal keeps its events until the next one", _keyId));
        Command<DeleteMessagesSuccess>(_ => { });
        // Not deleted now is deleted with the next snapshot's events (deleting up to a number covers all before it).
        Command<DeleteMessagesFailure>(failure =>
            Context.GetLogger().Warning(failure.Cause, "Could not delete key budget {0}'s events up to {1}; the next snapshot tries again",
                _keyId, failure.ToSequenceNr));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure =>
            Context.GetLogger().Warning(failure.Cause, "Could not delete key budget {0}'s older snapshots; the next snapshot tries again", _keyId));
    }

    public override string PersistenceId => $"key-budget-{_keyId}";

    public static Props Props(string keyId, TimeProvider clock) => Akka.Actor.Props.Create(() => new KeyJournalActor(keyId, clock));

    private void ApplyUsage(KeyBudget.UsageRecorded recorded)
    {
        // Usage journaled before it carried its time is counted when it is read back.
        _state = _state.Apply(recorded.At is null ? recorded with { At = _clock.GetUtcNow() } : recorded);
        _counted.Journaled(recorded.RequestIds);
        _idsSinceSnapshot += recorded.RequestIds?.Count ?? 0;
    }

    private void SnapshotIfDue()
    {
        if (++_sinceSnapshot < EventsPerSnapshot && _idsSinceSnapshot < RequestIdsPerSnapshot) return;
        (_sinceSnapshot, _idsSinceSnapshot) = (0, 0);
        SaveSnapshot(Totals());
    }

    /// <summary>
    /// The snapshot at <paramref name="sequenceNr"/> holds everything before it: the events up to it and the older
    /// snapshots are deleted. Recovery reads the latest snapshot and the events after it, so it is unchanged.
    /// </summary>
    private void ForgetBefore(long sequenceNr)
    {
        DeleteMessages(sequenceNr);
        if (sequenceNr > 1) DeleteSnapshots(new SnapshotSelectionCriteria(sequenceNr - 1));
    }

    private void Restore(KeyBudget.Totals totals)
    {
        _state = KeyBudgetState.Empty with
        {
            Policy = totals.Policy ?? (totals.AllowedModels is { } models ? new KeyPolicy("", "", models) : null),
            Deleted = totals.Deleted,
            Settled = KeyUsage.Of(totals),
            Period = new BudgetPeriod(totals.PeriodStart, totals.PeriodSpend),
        };
        _counted.Clear();
        _counted.Journaled(totals.RequestIds);
    }

    private KeyBudget.Totals Totals()
    {
        var (policy, usage, period) = (_state.Policy, _state.Settled, _state.Period);
        return new(policy?.AllowedModels, usage.Requests, usage.PromptTokens, usage.CompletionTokens,
            policy, usage.Cost, period.Spend, period.Start, _state.Deleted, _counted.JournaledIds(), usage.EstimatedCost);
    }

    /// <summary>To the parent: what the journal holds, read back.</summary>
    public sealed record Recovered(KeyBudget.Totals Totals);

    /// <summary>From the parent: settled usage to write, the <paramref name="Generation"/>-th write of the parent's.</summary>
    public sealed record WriteUsage(KeyBudget.UsageRecorded Usage, long Generation);

    public sealed record UsageWritten(long Generation);

    /// <summary>From the parent: a <see cref="KeyBudget.KeyPolicySet"/> or <see cref="KeyBudget.KeyDeleted"/>.</summary>
    public sealed record WritePolicy(object Event);

    public sealed record PolicyWritten(object Event);
}
