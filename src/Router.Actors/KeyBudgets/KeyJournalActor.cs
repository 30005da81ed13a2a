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
/// </summary>
public sealed class KeyJournalActor : ReceivePersistentActor
{
    private const int EventsPerSnapshot = 1000;

    private readonly string _keyId;
    private readonly TimeProvider _clock;
    private BudgetPeriod _period = BudgetPeriod.None;
    private readonly CountedRequests _counted = new(KeyBudgetActor.RememberedRequests);
    private KeyPolicy? _policy;
    private bool _deleted;
    private KeyBudget.UsageRecorded _usage = KeyUsage.None;

    public KeyJournalActor(string keyId, TimeProvider clock)
    {
        _keyId = keyId;
        _clock = clock;

        Recover<KeyBudget.PolicySet>(set => _policy = new KeyPolicy("", "", set.AllowedModels));
        Recover<KeyBudget.KeyPolicySet>(ApplyPolicy);
        Recover<KeyBudget.KeyDeleted>(_ => _deleted = true);
        Recover<KeyBudget.UsageRecorded>(ApplyUsage);
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is KeyBudget.Totals totals) Restore(totals);
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
            if (written is KeyBudget.KeyPolicySet set) ApplyPolicy(set);
            else _deleted = true;
            Context.Parent.Tell(new PolicyWritten(write.Event));
        }));
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(failure =>
            Context.GetLogger().Warning(failure.Cause, "Snapshot of key budget {0} failed; the journal still holds every event", _keyId));
    }

    public override string PersistenceId => $"key-budget-{_keyId}";

    public static Props Props(string keyId, TimeProvider clock) => Akka.Actor.Props.Create(() => new KeyJournalActor(keyId, clock));

    private void ApplyPolicy(KeyBudget.KeyPolicySet set)
    {
        // As when it was provisioned: a key provisioned again after its deletion is a key again.
        if (_policy?.BudgetDuration != set.Policy.BudgetDuration) _period = _period.Restarted();
        _policy = set.Policy;
        _deleted = false;
    }

    private void ApplyUsage(KeyBudget.UsageRecorded recorded)
    {
        _usage = KeyUsage.Add(_usage, recorded);
        _period = _period.Counted(_policy, recorded.Cost, recorded.At ?? _clock.GetUtcNow());
        _counted.Journaled(recorded.RequestIds);
    }

    private void SnapshotIfDue()
    {
        if (LastSequenceNr % EventsPerSnapshot == 0) SaveSnapshot(Totals());
    }

    private void Restore(KeyBudget.Totals totals)
    {
        _policy = totals.Policy ?? (totals.AllowedModels is { } models ? new KeyPolicy("", "", models) : null);
        _deleted = totals.Deleted;
        _usage = KeyUsage.Of(totals);
        _period = new BudgetPeriod(totals.PeriodStart, totals.PeriodSpend);
        _counted.Clear();
        _counted.Journaled(totals.RequestIds);
    }

    private KeyBudget.Totals Totals() =>
        new(_policy?.AllowedModels, _usage.Requests, _usage.PromptTokens, _usage.CompletionTokens,
            _policy, _usage.Cost, _period.Spend, _period.Start, _deleted, _counted.JournaledIds(), _usage.EstimatedCost);

    /// <summary>To the parent: what the journal holds, read back.</summary>
    public sealed record Recovered(KeyBudget.Totals Totals);

    /// <summary>From the parent: settled usage to write, the <paramref name="Generation"/>-th write of the parent's.</summary>
    public sealed record WriteUsage(KeyBudget.UsageRecorded Usage, long Generation);

    public sealed record UsageWritten(long Generation);

    /// <summary>From the parent: a <see cref="KeyBudget.KeyPolicySet"/> or <see cref="KeyBudget.KeyDeleted"/>.</summary>
    public sealed record WritePolicy(object Event);

    public sealed record PolicyWritten(object Event);
}
