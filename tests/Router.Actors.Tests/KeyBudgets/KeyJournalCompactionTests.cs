using Akka.Actor;
using Akka.Persistence;
using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Tests.Shared;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>
/// A key's journal holds the events since its latest snapshot, not every request since the key was made: what a
/// snapshot covers is deleted, and a key recovered afterwards shows the same totals.
/// </summary>
public sealed class KeyJournalCompactionTests(ITestOutputHelper output) : KeyBudgetTestKit(output)
{
    private const string KeyId = "key-ivan";
    private const string PersistenceId = "key-budget-" + KeyId;
    private const string Model = "ollama/llama3";
    // Two and a half snapshot intervals: two snapshots, then events after the last one.
    private const int Requests = KeyJournalActor.EventsPerSnapshot * 5 / 2;
    private readonly ManualClock _clock = new();

    private IActorRef Journal => Persistence.Instance.Apply(Sys).JournalFor(null);

    private IActorRef SnapshotStore => Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);

    [Fact]
    public void The_journal_keeps_only_the_events_after_the_latest_snapshot_and_recovery_gives_the_same_totals()
    {
        var budget = Sys.ActorOf(KeyBudgetActor.Props(KeyId, _clock));
        Provision(budget, KeyId, "ollama/*");
        for (var i = 0; i < Requests; i++)
        {
            // A confirming settle is written at once: one event each, as under steady traffic with the flush interval.
            budget.Tell(new KeyBudget.Settle(KeyId, $"r{i}", Model, new TokenUsage(10 + i % 7, 3, 0), 0.001m, Confirm: true));
            ExpectMsg(new KeyBudget.Settled(KeyId, $"r{i}"), cancellationToken: Ct);
        }
        var shown = StateOf(budget, KeyId);
        Assert.Equal(Requests, shown.Requests);

        var (first, count) = AwaitEvents(n => n <= KeyJournalActor.EventsPerSnapshot);
        var latest = LatestSnapshot(long.MaxValue);
        Assert.NotNull(latest);
        // Only the events after the latest snapshot are read back; the ones it covers are gone.
        Assert.True(first > latest!.Metadata.SequenceNr, $"the first event kept is {first}, the snapshot is at {latest.Metadata.SequenceNr}");
        Assert.True(count <= KeyJournalActor.EventsPerSnapshot, $"{count} events kept");
        AwaitAssert(() => Assert.Null(LatestSnapshot(latest.Metadata.SequenceNr - 1)), TimeSpan.FromSeconds(3), cancellationToken: Ct);

        StopAndAwait(budget);
        var recovered = StateOf(Sys.ActorOf(KeyBudgetActor.Props(KeyId, _clock)), KeyId);

        Assert.Equal((shown.Requests, shown.PromptTokens, shown.CompletionTokens), (recovered.Requests, recovered.PromptTokens, recovered.CompletionTokens));
        Assert.Equal((shown.Spend, shown.PeriodSpend), (recovered.Spend, recovered.PeriodSpend));
        Assert.Equal(Requests * 0.001m, recovered.Spend);
    }

    [Fact]
    public void A_busy_keys_journal_is_snapshotted_by_the_request_ids_its_events_carry_long_before_a_thousand_events()
    {
        var budget = Sys.ActorOf(KeyBudgetActor.Props(KeyId, _clock));
        Provision(budget, KeyId, "ollama/*");
        // Settled without confirmation, as a busy key's requests are: each write of the key's actor carries all those since
        // the one before, so a few dozen events carry more ids than a snapshot lets follow it.
        var requests = KeyJournalActor.RequestIdsPerSnapshot + KeyBudgetActor.RememberedRequests;
        for (var i = 0; i < requests; i++) budget.Tell(new KeyBudget.Settle(KeyId, $"r{i}", Model, new TokenUsage(10, 3, 0), 0.001m));
        var shown = AwaitState(budget, KeyId, s => s.Requests == requests, TimeSpan.FromSeconds(30));

        var latest = AwaitSnapshot();
        Assert.True(latest.Metadata.SequenceNr < KeyJournalActor.EventsPerSnapshot, $"the snapshot came at event {latest.Metadata.SequenceNr}");
        // The events the snapshot covers are deleted after it.
        AwaitCondition(() => ReadBack() is var (first, count) && (count == 0 || first > latest.Metadata.SequenceNr), TimeSpan.FromSeconds(5),
            TimeSpan.FromMilliseconds(50), cancellationToken: Ct);

        StopAndAwait(budget);
        var recovered = StateOf(Sys.ActorOf(KeyBudgetActor.Props(KeyId, _clock)), KeyId);
        Assert.Equal((shown.Requests, shown.PromptTokens, shown.Spend), (recovered.Requests, recovered.PromptTokens, recovered.Spend));
        Assert.Equal(requests * 0.001m, recovered.Spend);
    }

    private SelectedSnapshot AwaitSnapshot()
    {
        SelectedSnapshot? latest = null;
        AwaitCondition(() => (latest = LatestSnapshot(long.MaxValue)) is not null, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100),
            cancellationToken: Ct);
        return latest!;
    }

    /// <summary>The first sequence number and the number of events the journal reads back, once <paramref name="settled"/> holds.</summary>
    private (long First, int Count) AwaitEvents(Func<int, bool> settled)
    {
        (long, int) last = default;
        AwaitCondition(() => settled((last = ReadBack()).Item2), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50), cancellationToken: Ct);
        return last;
    }

    private (long First, int Count) ReadBack()
    {
        Journal.Tell(new ReplayMessages(0, long.MaxValue, long.MaxValue, PersistenceId, TestActor), TestActor);
        long first = 0;
        var count = 0;
        while (true)
        {
            var message = ExpectMsg<object>(cancellationToken: Ct);
            if (message is RecoverySuccess) return (first, count);
            if (message is ReplayedMessage replayed)
            {
                if (count++ == 0) first = replayed.Persistent.SequenceNr;
                continue;
            }
            throw new InvalidOperationException($"Unexpected reply to a replay: {message}");
        }
    }

    private SelectedSnapshot? LatestSnapshot(long maxSequenceNr)
    {
        SnapshotStore.Tell(new LoadSnapshot(PersistenceId, new SnapshotSelectionCriteria(maxSequenceNr), long.MaxValue), TestActor);
        return ExpectMsg<LoadSnapshotResult>(cancellationToken: Ct).Snapshot;
    }
}
