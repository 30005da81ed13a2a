using Akka.Actor;
using Akka.Persistence;
using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using Router.Contracts.Wire;

namespace Router.Actors.Tests.KeyBudgets;

public sealed class KeyBudgetRecoveryTests(ITestOutputHelper output) : KeyBudgetTestKit(output)
{
    private const string KeyId = "key-carol";

    private void ProvisionAndSettleTwice(IActorRef target)
    {
        Provision(target, KeyId, "ollama/*", "gpt-4o");
        target.Tell(new KeyBudget.Settle(KeyId, "r1", "ollama/llama3", new TokenUsage(10, 5, 0)));
        target.Tell(new KeyBudget.Settle(KeyId, "r2", "gpt-4o", new TokenUsage(7, 3, 0)));
        Flush(target, KeyId);
    }

    private static void AssertRecovered(KeyBudget.State state)
    {
        Assert.Equal(["ollama/*", "gpt-4o"], state.Policy?.AllowedModels);
        Assert.Equal(SecretHash, state.Policy?.SecretHash);
        Assert.Equal((2L, 17L, 8L), (state.Requests, state.PromptTokens, state.CompletionTokens));
    }

    [Fact]
    public void A_recreated_actor_recovers_policy_and_totals_from_the_journal()
    {
        var first = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        ProvisionAndSettleTwice(first);
        StopAndAwait(first);

        var second = Sys.ActorOf(KeyBudgetActor.Props(KeyId));

        var state = StateOf(second, KeyId);
        AssertRecovered(state);
        Assert.Equal(0, state.InFlight);
    }

    [Fact]
    public void A_recovered_policy_still_decides_admission()
    {
        var first = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        Provision(first, KeyId, "ollama/*");
        StopAndAwait(first);

        var second = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        second.Tell(AdmitOf(KeyId, "r1", "ollama/llama3", "ollama:ollama/*"));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
        second.Tell(AdmitOf(KeyId, "r2", "gpt-4o", "openai:gpt-*"));

        Assert.Equal(RefusalReason.ModelNotAllowed, ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct).Reason);
    }

    [Fact]
    public void Another_key_does_not_see_the_recovered_state()
    {
        var first = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        ProvisionAndSettleTwice(first);

        var other = Sys.ActorOf(KeyBudgetActor.Props("key-dave"));

        var state = StateOf(other, "key-dave");
        Assert.Null(state.Policy);
        Assert.False(state.IsProvisioned);
        Assert.Equal(0, state.Requests);
    }

    [Fact]
    public void A_new_region_recovers_the_entities_of_a_stopped_one()
    {
        var region = NewRegion();
        ProvisionAndSettleTwice(region);
        StopAndAwait(region);

        var again = NewRegion();

        AssertRecovered(StateOf(again, KeyId));
    }

    [Fact]
    public void Every_thousandth_event_snapshots_the_totals()
    {
        var budget = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        Provision(budget, KeyId, "ollama/*");                   // event 1
        for (var i = 0; i < 1000; i++)                            // events 2..1001, one per flush
        {
            budget.Tell(new KeyBudget.Settle(KeyId, $"r{i}", "ollama/llama3", new TokenUsage(2, 1, 0)));
            Flush(budget, KeyId);
        }

        Persistence.Instance.Apply(Sys).SnapshotStoreFor(null)
            .Tell(new LoadSnapshot($"key-budget-{KeyId}", SnapshotSelectionCriteria.Latest, long.MaxValue));

        var loaded = ExpectMsg<LoadSnapshotResult>(cancellationToken: Ct);
        Assert.NotNull(loaded.Snapshot);
        Assert.Equal(1000, loaded.Snapshot.Metadata.SequenceNr);
        var totals = Assert.IsType<KeyBudget.Totals>(loaded.Snapshot.Snapshot);
        Assert.Equal(["ollama/*"], totals.AllowedModels);
        Assert.Equal(SecretHash, totals.Policy?.SecretHash);
        Assert.Equal((999L, 1998L, 999L), (totals.Requests, totals.PromptTokens, totals.CompletionTokens));
    }

    [Fact]
    public void Recovery_from_a_snapshot_and_later_events_restores_the_totals()
    {
        var first = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        Provision(first, KeyId, "ollama/*");
        for (var i = 0; i < 1005; i++)
        {
            first.Tell(new KeyBudget.Settle(KeyId, $"r{i}", "ollama/llama3", new TokenUsage(2, 1, 0)));
            Flush(first, KeyId);
        }
        StopAndAwait(first);

        var second = Sys.ActorOf(KeyBudgetActor.Props(KeyId));

        var state = StateOf(second, KeyId);
        Assert.Equal(["ollama/*"], state.Policy?.AllowedModels);
        Assert.Equal((1005L, 2010L, 1005L), (state.Requests, state.PromptTokens, state.CompletionTokens));
    }

    [Fact]
    public void A_key_provisioned_with_no_models_recovers_as_provisioned_for_every_model()
    {
        var first = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        Provision(first, KeyId);
        for (var i = 0; i < 999; i++)
            first.Tell(new KeyBudget.Settle(KeyId, $"r{i}", "gpt-4o", new TokenUsage(1, 1, 0)));
        AwaitState(first, KeyId, s => s.Requests == 999);
        first.Tell(AdmitOf(KeyId, "before", "gpt-4o", "openai:gpt-*"));
        ExpectMsg(new ProviderBreaker.Permit("openai:gpt-*"), cancellationToken: Ct);
        StopAndAwait(first);

        var second = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        second.Tell(AdmitOf(KeyId, "after", "gpt-4o", "openai:gpt-*"));

        ExpectMsg(new ProviderBreaker.Permit("openai:gpt-*"), cancellationToken: Ct);
        var state = StateOf(second, KeyId);
        Assert.True(state.IsProvisioned);
        Assert.Empty(state.Policy!.AllowedModels);
        Assert.Equal(999L, state.Requests);
    }

    [Fact]
    public void Settled_usage_reaches_the_journal_within_the_flush_interval_without_being_asked()
    {
        var first = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        Provision(first, KeyId, "ollama/*");
        first.Tell(new KeyBudget.Settle(KeyId, "r1", "ollama/llama3", new TokenUsage(10, 5, 0)));
        first.Tell(new KeyBudget.Settle(KeyId, "r2", "ollama/llama3", new TokenUsage(1, 1, 0)));
        ExpectNoMsg(KeyBudgetActor.UsageFlushInterval * 5, Ct);
        StopAndAwait(first);

        var state = StateOf(Sys.ActorOf(KeyBudgetActor.Props(KeyId)), KeyId);

        Assert.Equal((2L, 11L, 6L), (state.Requests, state.PromptTokens, state.CompletionTokens));
    }

    [Fact]
    public void Usage_settled_while_a_write_is_in_flight_is_neither_lost_nor_counted_twice()
    {
        var first = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        Provision(first, KeyId, "ollama/*");
        for (var i = 0; i < 50; i++)
        {
            first.Tell(new KeyBudget.Settle(KeyId, $"r{i}", "ollama/llama3", new TokenUsage(3, 2, 0)));
            if (i % 7 == 0) first.Tell(new KeyBudget.Flush(KeyId), ActorRefs.NoSender);
        }
        Flush(first, KeyId);
        StopAndAwait(first);

        var state = StateOf(Sys.ActorOf(KeyBudgetActor.Props(KeyId)), KeyId);

        Assert.Equal((50L, 150L, 100L), (state.Requests, state.PromptTokens, state.CompletionTokens));
    }
}
