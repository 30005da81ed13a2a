using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Akka.Persistence;
using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using Router.Contracts.Wire;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>
/// Settlement that survives a crash: a confirming settle is answered only once its usage is in the
/// journal, and a settle sent again (a retry, or after the actor moved) counts once, before and after recovery.
/// </summary>
public sealed class KeyBudgetConfirmedSettlementTests(ITestOutputHelper output) : KeyBudgetTestKit(output, GatedJournal.Config)
{
    private const string KeyId = "key-ivan";
    private const string PersistenceId = "key-budget-" + KeyId;
    private const string Model = "ollama/llama3";
    private const string Deployment = "ollama:ollama/*";
    private static readonly TokenUsage Used = new(100, 20, 0);

    private IActorRef Journal => Persistence.Instance.Apply(Sys).JournalFor(null);

    private IActorRef NewBudget() => Sys.ActorOf(KeyBudgetActor.Props(KeyId));

    private void ToJournal(object command)
    {
        Journal.Tell(command, TestActor);
        ExpectMsg<GatedJournal.Done>(cancellationToken: Ct);
    }

    private int WritesSoFar()
    {
        Journal.Tell(GatedJournal.CountWrites.Instance, TestActor);
        return ExpectMsg<int>(cancellationToken: Ct);
    }

    private IActorRef ProvisionedBudget()
    {
        var budget = NewBudget();
        Provision(budget, KeyId, PolicyFor("ollama/*") with { MaxBudget = 10m });
        return budget;
    }

    private static KeyBudget.Settle Settle(string requestId, decimal cost, bool confirm = true) =>
        new(KeyId, requestId, Model, Used, cost, confirm);

    private void Crash(IActorRef budget)
    {
        Watch(budget);
        budget.Tell(Kill.Instance);
        ExpectTerminated(budget, TimeSpan.FromSeconds(3));
        Unwatch(budget);
    }

    [Fact]
    public void A_confirming_settle_is_answered_only_once_its_usage_is_in_the_journal()
    {
        var budget = ProvisionedBudget();
        ToJournal(GatedJournal.Hold.Instance);

        budget.Tell(Settle("r1", 0.25m));

        // Well past the group-commit interval: the write was made, but the journal has not finished it.
        ExpectNoMsg(KeyBudgetActor.UsageFlushInterval * 4, Ct);
        ToJournal(GatedJournal.Release.Instance);
        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);
        Crash(budget);
        var recovered = StateOf(NewBudget(), KeyId);
        Assert.Equal((1L, 0.25m), (recovered.Requests, recovered.Spend));
    }

    [Fact]
    public void Confirmations_that_arrive_while_a_write_is_under_way_ride_on_the_next_write_together()
    {
        var budget = ProvisionedBudget();
        var before = WritesSoFar();
        ToJournal(GatedJournal.Hold.Instance);

        budget.Tell(Settle("r1", 0.10m));
        budget.Tell(Settle("r2", 0.20m));
        budget.Tell(Settle("r3", 0.30m));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50), Ct);
        ToJournal(GatedJournal.Release.Instance);

        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);
        ExpectMsg(new KeyBudget.Settled(KeyId, "r2"), cancellationToken: Ct);
        ExpectMsg(new KeyBudget.Settled(KeyId, "r3"), cancellationToken: Ct);
        Assert.Equal(before + 2, WritesSoFar());
        Crash(budget);
        var recovered = StateOf(NewBudget(), KeyId);
        Assert.Equal((3L, 0.60m), (recovered.Requests, recovered.Spend));
    }

    [Fact]
    public void A_confirmation_that_arrives_during_a_write_without_confirmations_waits_for_its_own_write()
    {
        var budget = ProvisionedBudget();
        var before = WritesSoFar();
        ToJournal(GatedJournal.Hold.Instance);
        budget.Tell(Settle("r1", 0.10m, confirm: false));
        budget.Tell(new KeyBudget.Flush(KeyId));         // a write that nobody waits on to be confirmed, held
        budget.Tell(Settle("r2", 0.20m));               // comes while it is under way
        Sync(budget);
        AwaitCondition(() => WritesSoFar() == before + 1, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(10), cancellationToken: Ct);

        ToJournal(GatedJournal.Step.Instance);          // the first write finishes; r2's, the next, is held
        ExpectMsg(new KeyBudget.Flushed(KeyId), cancellationToken: Ct);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300), Ct);
        ToJournal(GatedJournal.Release.Instance);

        ExpectMsg(new KeyBudget.Settled(KeyId, "r2"), cancellationToken: Ct);
    }

    [Fact]
    public void A_settle_whose_write_failed_is_confirmed_once_a_new_journal_has_it_and_counts_once()
    {
        var budget = ProvisionedBudget();
        ToJournal(GatedJournal.FailWrites.Instance);

        budget.Tell(Settle("r1", 0.25m));

        // The journal failed and stopped; the key did not: it counts the request and tries a new journal meanwhile,
        // but confirms nothing the journal has not got (a single node has no replica to hold it instead).
        ExpectNoMsg(TimeSpan.FromMilliseconds(1500), Ct);
        budget.Tell(Settle("r1", 0.25m));
        ToJournal(GatedJournal.Release.Instance);
        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), TimeSpan.FromSeconds(10), cancellationToken: Ct);
        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);
        Assert.Equal(0.25m, StateOf(budget, KeyId).Spend);

        // What the new journal was given is what a new actor reads back: counted once.
        Sys.Stop(budget);
        var again = NewBudget();
        again.Tell(Settle("r1", 0.25m));
        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);
        Assert.Equal(0.25m, StateOf(again, KeyId).Spend);
    }

    [Fact]
    public void A_settle_sent_again_counts_once_and_is_confirmed_again()
    {
        var budget = ProvisionedBudget();

        budget.Tell(Settle("r1", 0.25m, confirm: false));
        budget.Tell(Settle("r1", 0.25m, confirm: false));
        budget.Tell(Settle("r1", 0.25m));
        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);
        budget.Tell(Settle("r1", 0.25m));
        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);

        var state = StateOf(budget, KeyId);
        Assert.Equal((1L, 100L, 20L, 0.25m, 0.25m), (state.Requests, state.PromptTokens, state.CompletionTokens, state.Spend, state.PeriodSpend));
    }

    [Fact]
    public void A_settle_sent_again_while_its_first_write_is_held_is_confirmed_only_after_that_write()
    {
        var budget = ProvisionedBudget();
        ToJournal(GatedJournal.Hold.Instance);

        budget.Tell(Settle("r1", 0.25m));
        budget.Tell(Settle("r1", 0.25m));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200), Ct);
        ToJournal(GatedJournal.Release.Instance);

        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);
        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);
        Assert.Equal(0.25m, StateOf(budget, KeyId).Spend);
    }

    [Fact]
    public void A_request_counted_before_a_crash_counts_once_when_settled_again_after_recovery_from_the_journal()
    {
        var budget = ProvisionedBudget();
        budget.Tell(Settle("r1", 0.25m));
        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);
        budget.Tell(Settle("r2", 0.50m, confirm: false));
        Flush(budget, KeyId);
        Crash(budget);

        var recovered = NewBudget();
        recovered.Tell(Settle("r1", 0.25m));
        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);
        recovered.Tell(Settle("r2", 0.50m));
        ExpectMsg(new KeyBudget.Settled(KeyId, "r2"), cancellationToken: Ct);
        recovered.Tell(Settle("r3", 1.00m));
        ExpectMsg(new KeyBudget.Settled(KeyId, "r3"), cancellationToken: Ct);

        var state = StateOf(recovered, KeyId);
        Assert.Equal((3L, 1.75m), (state.Requests, state.Spend));
    }

    [Fact]
    public void A_request_counted_before_a_crash_counts_once_when_settled_again_after_recovery_from_a_snapshot()
    {
        var budget = ProvisionedBudget(); // event 1: the policy
        // Events 2 to 1000: one write each; the 1000th event is followed by a snapshot.
        for (var i = 0; i < 999; i++)
        {
            budget.Tell(Settle($"r{i}", 0.001m));
            ExpectMsg<KeyBudget.Settled>(cancellationToken: Ct);
        }
        var snapshot = AwaitSnapshot();
        Assert.Equal(1000, snapshot.Metadata.SequenceNr);
        Assert.Contains("r0", Assert.IsType<KeyBudget.Totals>(snapshot.Snapshot).RequestIds!);
        Crash(budget);

        // r0's event precedes the snapshot, so it is not replayed: only the snapshot can know it counted.
        var recovered = NewBudget();
        recovered.Tell(Settle("r0", 0.001m));
        ExpectMsg(new KeyBudget.Settled(KeyId, "r0"), cancellationToken: Ct);
        recovered.Tell(Settle("r998", 0.001m));
        ExpectMsg(new KeyBudget.Settled(KeyId, "r998"), cancellationToken: Ct);

        var state = StateOf(recovered, KeyId);
        Assert.Equal((999L, 0.999m), (state.Requests, state.Spend));
    }

    [Fact]
    public void A_snapshot_holds_only_requests_whose_usage_the_journal_has()
    {
        var budget = ProvisionedBudget();
        for (var i = 0; i < 998; i++)
        {
            budget.Tell(Settle($"r{i}", 0.001m));
            ExpectMsg<KeyBudget.Settled>(cancellationToken: Ct);
        }
        ToJournal(GatedJournal.Hold.Instance);
        budget.Tell(Settle("r998", 0.001m));         // event 1000, held
        budget.Tell(Settle("unwritten", 0.001m, confirm: false));
        Sync(budget);
        ToJournal(GatedJournal.Release.Instance);
        ExpectMsg(new KeyBudget.Settled(KeyId, "r998"), cancellationToken: Ct);

        var snapshot = Assert.IsType<KeyBudget.Totals>(AwaitSnapshot().Snapshot);
        Assert.Contains("r998", snapshot.RequestIds!);
        Assert.DoesNotContain("unwritten", snapshot.RequestIds!);
    }

    [Fact]
    public void A_settle_without_usage_sent_again_frees_nothing_another_request_holds()
    {
        var budget = ProvisionedBudget();
        budget.Tell(AdmitOf(KeyId, "r1", Model, Deployment, 0.40m, 100));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
        budget.Tell(AdmitOf(KeyId, "r2", Model, Deployment, 0.30m, 100));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);

        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, TokenUsage.None));
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, TokenUsage.None));
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, TokenUsage.None, Confirm: true));
        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);

        var state = StateOf(budget, KeyId);
        Assert.Equal((1, 0.30m, 0L, 0m), (state.InFlight, state.Reserved, state.Requests, state.Spend));
    }

    [Fact]
    public void A_settle_with_usage_after_one_without_frees_the_request_once_and_counts_the_usage()
    {
        var budget = ProvisionedBudget();
        budget.Tell(AdmitOf(KeyId, "r1", Model, Deployment, 0.40m, 100));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
        budget.Tell(AdmitOf(KeyId, "r2", Model, Deployment, 0.30m, 100));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);

        budget.Tell(Settle("r1", 0.35m));
        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);
        budget.Tell(Settle("r1", 0.35m, confirm: false));

        var state = StateOf(budget, KeyId);
        Assert.Equal((1, 0.30m, 1L, 0.35m), (state.InFlight, state.Reserved, state.Requests, state.Spend));
    }

    /// <summary>Makes sure the actor has handled what was sent before, without asking it to write.</summary>
    private void Sync(IActorRef budget)
    {
        budget.Tell(new KeyBudget.Admit(KeyId, "sync", Model, Deployment, "not-the-hash"));
        ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct);
    }

    /// <summary>The key's latest snapshot, once the actor has saved it (saving runs beside the actor).</summary>
    private SelectedSnapshot AwaitSnapshot()
    {
        var store = Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        SelectedSnapshot? found = null;
        AwaitCondition(() =>
        {
            store.Tell(new LoadSnapshot(PersistenceId, SnapshotSelectionCriteria.Latest, long.MaxValue), TestActor);
            found = ExpectMsg<LoadSnapshotResult>(cancellationToken: Ct).Snapshot;
            return found is not null;
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(20));
        return found!;
    }
}

/// <summary>On a scheduler that moves only when told, so the group-commit timer fires only when a test says.</summary>
public sealed class KeyBudgetPromptSettlementTests(ITestOutputHelper output)
    : KeyBudgetTestKit(output, ConfigurationFactory.ParseString("""akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit" """)
        .WithFallback(GatedJournal.Config))
{
    private const string KeyId = "key-judy";
    private static readonly TokenUsage Used = new(100, 20, 0);

    private IActorRef Journal => Persistence.Instance.Apply(Sys).JournalFor(null);

    private int WritesSoFar()
    {
        Journal.Tell(GatedJournal.CountWrites.Instance, TestActor);
        return ExpectMsg<int>(cancellationToken: Ct);
    }

    [Fact]
    public void A_confirming_settle_is_written_at_once_while_others_wait_for_the_flush_interval()
    {
        var budget = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        Provision(budget, KeyId, "*");
        var before = WritesSoFar();

        budget.Tell(new KeyBudget.Settle(KeyId, "r1", "gpt-4o", Used, 0.25m, Confirm: true));
        ExpectMsg(new KeyBudget.Settled(KeyId, "r1"), cancellationToken: Ct);
        budget.Tell(new KeyBudget.Settle(KeyId, "r2", "gpt-4o", Used, 0.25m));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200), Ct);
        Assert.Equal(before + 1, WritesSoFar());

        ((TestScheduler)Sys.Scheduler).Advance(KeyBudgetActor.UsageFlushInterval);

        AwaitCondition(() => WritesSoFar() == before + 2, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(20), cancellationToken: Ct);
    }
}
