using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// A key as it starts: what its journal read back (null when the database did not answer) merged with what its
/// replica holds. The policy is the journal's (it is written there first); of usage and of the budget period,
/// whichever store holds more; and what the journal holds but no node's replica does (a key older than its replica),
/// for this node's run to take into the replica.
/// </summary>
internal sealed record RecoveredKey(
    KeyPolicy? Policy, bool Deleted, KeyBudget.UsageRecorded Settled, KeyBudget.UsageRecorded Journaled,
    DateTimeOffset? PeriodStart, decimal PeriodSpend, KeyBudget.UsageRecorded ReplicaLacks, decimal ReplicaPeriodLacks)
{
    public static RecoveredKey From(KeyBudget.Totals? journal, ReplicatedKey replica)
    {
        var journalPolicy = journal?.Policy ?? (journal?.AllowedModels is { } models ? new KeyPolicy("", "", models) : null);
        var (policy, deleted) = journalPolicy is not null
            ? (journalPolicy, journal!.Deleted)
            : (replica.Policy?.Policy, replica.Policy?.Deleted ?? false);
        var journaled = journal is null ? KeyUsage.None : KeyUsage.Of(journal);

        var (periodStart, periodSpend) = journal is null || replica.PeriodStart > journal.PeriodStart
            ? (replica.PeriodStart, replica.PeriodSpend)
            : journal.PeriodStart > replica.PeriodStart ? (journal.PeriodStart, journal.PeriodSpend)
            : (journal.PeriodStart, Math.Max(journal.PeriodSpend, replica.PeriodSpend));

        // Only when every node's copy was read: one node's copy may lack what the other's holds.
        var replicaLacks = replica.FromEveryNode ? KeyUsage.Beyond(journaled, replica.Usage) : KeyUsage.None;
        var replicaPeriodLacks = !replica.FromEveryNode ? 0
            : periodStart == replica.PeriodStart ? Math.Max(0, periodSpend - replica.PeriodSpend) : periodSpend;

        return new RecoveredKey(policy, deleted, KeyUsage.Max(journaled, replica.Usage), journaled, periodStart, periodSpend,
            replicaLacks, replicaPeriodLacks);
    }
}
