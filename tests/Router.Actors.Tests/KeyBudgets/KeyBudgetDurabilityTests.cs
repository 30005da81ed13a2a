using Akka.Actor;
using Akka.Persistence;
using Router.Actors.KeyBudgets;
using Router.Tests.Shared;
using Router.Contracts.Messages;
using Router.Contracts.Wire;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>What survives a crash: what was shown, the policy, spend and period, and journals of the older formats.</summary>
public sealed class KeyBudgetDurabilityTests(ITestOutputHelper output) : KeyBudgetTestKit(output)
{
    private const string KeyId = "key-heidi";
    private const string PersistenceId = "key-budget-" + KeyId;
    private const string Deployment = "ollama:ollama/*";
    private const string Model = "ollama/llama3";
    private readonly ManualClock _clock = new();

    private IActorRef NewBudget() => Sys.ActorOf(KeyBudgetActor.Props(KeyId, _clock));

    private void Crash(IActorRef actor, object how)
    {
        Watch(actor);
        actor.Tell(how);
        ExpectTerminated(actor, TimeSpan.FromSeconds(3));
        Unwatch(actor);
    }

    public static TheoryData<string> Crashes() => ["kill", "poison-pill"];

    private static object CrashMessage(string how) => how == "kill" ? Kill.Instance : PoisonPill.Instance;

    [Theory]
    [MemberData(nameof(Crashes))]
    public void What_a_state_reply_showed_survives_an_abrupt_stop(string how)
    {
        var budget = NewBudget();
        Provision(budget, KeyId, PolicyFor("ollama/*") with { MaxBudget = 10m });
        for (var i = 0; i < 7; i++)
        {
            budget.Tell(AdmitOf(KeyId, $"r{i}", Model, Deployment, 0.05m, 200));
            ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
            budget.Tell(new KeyBudget.Settle(KeyId, $"r{i}", Model, new TokenUsage(100 + i, 10, 0), 0.03m));
        }
        var shown = StateOf(budget, KeyId);
        Assert.Equal((7L, 0.21m), (shown.Requests, shown.Spend));

        Crash(budget, CrashMessage(how));
        var recovered = StateOf(NewBudget(), KeyId);

        Assert.Equal((shown.Requests, shown.PromptTokens, shown.CompletionTokens), (recovered.Requests, recovered.PromptTokens, recovered.CompletionTokens));
        Assert.Equal((0.21m, 0.21m), (recovered.Spend, recovered.PeriodSpend));
        Assert.Equal((0m, 0), (recovered.Reserved, recovered.InFlight));
        Assert.Equal(10m, recovered.Policy?.MaxBudget);
    }

    [Fact]
    public void The_estimated_part_of_the_spend_is_kept_apart_and_survives_a_crash()
    {
        var budget = NewBudget();
        Provision(budget, KeyId, "ollama/*");
        budget.Tell(new KeyBudget.Settle(KeyId, "reported", Model, new TokenUsage(10, 5, 0), 0.07m));
        budget.Tell(new KeyBudget.Settle(KeyId, "counted", Model, new TokenUsage(12, 3, 0) { Estimated = true }, 0.04m));
        var shown = StateOf(budget, KeyId);
        Assert.Equal((0.11m, 0.04m), (shown.Spend, shown.EstimatedSpend));

        Crash(budget, Kill.Instance);

        var recovered = StateOf(NewBudget(), KeyId);
        Assert.Equal((0.11m, 0.04m), (recovered.Spend, recovered.EstimatedSpend));
    }

    [Fact]
    public void Spend_settled_after_the_last_state_reply_is_written_within_the_flush_interval()
    {
        var budget = NewBudget();
        Provision(budget, KeyId, "ollama/*");
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, new TokenUsage(10, 5, 0), 0.07m));
        StateOf(budget, KeyId);
        budget.Tell(new KeyBudget.Settle(KeyId, "r2", Model, new TokenUsage(10, 5, 0), 0.11m));
        ExpectNoMsg(KeyBudgetActor.UsageFlushInterval * 5, Ct);

        Crash(budget, Kill.Instance);

        Assert.Equal(0.18m, StateOf(NewBudget(), KeyId).Spend);
    }

    [Fact]
    public void A_recovered_key_keeps_its_budget_period_and_refuses_what_it_refused_before()
    {
        var start = _clock.GetUtcNow();
        var budget = NewBudget();
        Provision(budget, KeyId, PolicyFor() with { MaxBudget = 0.50m, BudgetDuration = TimeSpan.FromHours(1), CreatedAt = start });
        _clock.Advance(TimeSpan.FromMinutes(10));
        budget.Tell(AdmitOf(KeyId, "r1", Model, Deployment, 0.40m));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, new TokenUsage(10, 5, 0), 0.40m));
        StateOf(budget, KeyId);
        Crash(budget, Kill.Instance);

        var again = NewBudget();

        var state = StateOf(again, KeyId);
        Assert.Equal((0.40m, 0.40m, start + TimeSpan.FromHours(1)), (state.Spend, state.PeriodSpend, state.PeriodResetsAt));
        again.Tell(AdmitOf(KeyId, "r2", Model, Deployment, 0.11m));
        Assert.Equal(RefusalReason.BudgetExceeded, ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct).Reason);
        _clock.Advance(TimeSpan.FromHours(1));
        again.Tell(AdmitOf(KeyId, "r2", Model, Deployment, 0.50m));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
    }

    [Fact]
    public void Spend_from_an_earlier_period_does_not_count_in_the_current_one_after_recovery()
    {
        var start = _clock.GetUtcNow();
        var budget = NewBudget();
        Provision(budget, KeyId, PolicyFor() with { MaxBudget = 0.50m, BudgetDuration = TimeSpan.FromHours(1), CreatedAt = start });
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, new TokenUsage(10, 5, 0), 0.45m));
        StateOf(budget, KeyId);
        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(5));
        budget.Tell(new KeyBudget.Settle(KeyId, "r2", Model, new TokenUsage(10, 5, 0), 0.05m));
        StateOf(budget, KeyId);
        Crash(budget, Kill.Instance);

        var state = StateOf(NewBudget(), KeyId);

        Assert.Equal((0.50m, 0.05m, start + TimeSpan.FromHours(2)), (state.Spend, state.PeriodSpend, state.PeriodResetsAt));
    }

    /// <summary>Makes sure the actor has handled what was sent before, without asking it to write.</summary>
    private void Sync(IActorRef budget)
    {
        budget.Tell(new KeyBudget.Admit(KeyId, "sync", Model, Deployment, "not-the-hash"));
        ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct);
    }

    private IActorRef HourlyBudget(DateTimeOffset start)
    {
        var budget = NewBudget();
        Provision(budget, KeyId, PolicyFor() with { MaxBudget = 0.50m, BudgetDuration = TimeSpan.FromHours(1), CreatedAt = start });
        return budget;
    }

    [Fact]
    public void Spend_written_after_its_period_ended_recovers_in_the_period_it_was_settled_in()
    {
        var start = _clock.GetUtcNow();
        var budget = HourlyBudget(start);
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, new TokenUsage(10, 5, 0), 0.45m));
        Sync(budget);                                   // settled in the first hour, not yet written

        _clock.Advance(TimeSpan.FromHours(1));
        var shown = StateOf(budget, KeyId);             // written now, in the second hour
        Assert.Equal((0.45m, 0m), (shown.Spend, shown.PeriodSpend));
        Crash(budget, Kill.Instance);

        var recovered = StateOf(NewBudget(), KeyId);

        Assert.Equal((0.45m, 0m, start + TimeSpan.FromHours(2)), (recovered.Spend, recovered.PeriodSpend, recovered.PeriodResetsAt));
    }

    [Fact]
    public void One_unwritten_batch_never_spans_two_periods()
    {
        var start = _clock.GetUtcNow();
        var budget = HourlyBudget(start);
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, new TokenUsage(10, 5, 0), 0.45m));
        Sync(budget);
        _clock.Advance(TimeSpan.FromHours(1));
        budget.Tell(AdmitOf(KeyId, "r2", Model, Deployment, 0.05m));   // rolls the period before r2 settles
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
        budget.Tell(new KeyBudget.Settle(KeyId, "r2", Model, new TokenUsage(10, 5, 0), 0.05m));
        var shown = StateOf(budget, KeyId);
        Assert.Equal((0.50m, 0.05m), (shown.Spend, shown.PeriodSpend));
        Crash(budget, Kill.Instance);

        var recovered = StateOf(NewBudget(), KeyId);

        Assert.Equal((0.50m, 0.05m), (recovered.Spend, recovered.PeriodSpend));
    }

    [Fact]
    public void A_snapshot_of_the_totals_restores_policy_spend_and_period()
    {
        var start = _clock.GetUtcNow();
        var policy = PolicyFor("ollama/*") with { MaxBudget = 0.30m, BudgetDuration = TimeSpan.FromHours(1), CreatedAt = start, Alias = "snap" };
        SaveSnapshot(new KeyBudget.Totals(policy.AllowedModels, 7, 70, 30, policy, 1.25m, 0.25m, start, Deleted: false));

        var budget = NewBudget();

        var state = StateOf(budget, KeyId);
        Assert.Equal((7L, 70L, 30L, 1.25m, 0.25m), (state.Requests, state.PromptTokens, state.CompletionTokens, state.Spend, state.PeriodSpend));
        Assert.Equal(start + TimeSpan.FromHours(1), state.PeriodResetsAt);
        Assert.Equal(("snap", SecretHash), (state.Policy?.Alias, state.Policy?.SecretHash));
        budget.Tell(AdmitOf(KeyId, "r1", Model, Deployment, 0.10m));
        Assert.Equal(RefusalReason.BudgetExceeded, ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct).Reason);
        budget.Tell(AdmitOf(KeyId, "r1", Model, Deployment, 0.05m));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
    }

    [Fact]
    public void A_snapshot_of_a_deleted_key_restores_it_as_deleted()
    {
        SaveSnapshot(new KeyBudget.Totals([], 1, 1, 1, PolicyFor(), 0.5m, 0.5m, null, Deleted: true));

        var budget = NewBudget();

        var state = StateOf(budget, KeyId);
        Assert.Equal((true, 0.5m), (state.IsDeleted, state.Spend));
        budget.Tell(AdmitOf(KeyId, "r1", Model, Deployment));
        Assert.Equal(RefusalReason.UnknownKey, ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct).Reason);
    }

    [Fact]
    public void A_snapshot_of_the_first_format_restores_the_models_and_totals_but_admits_no_secret()
    {
        SaveSnapshot(new KeyBudget.Totals(["ollama/*"], 3, 30, 10));

        var budget = NewBudget();

        var state = StateOf(budget, KeyId);
        Assert.Equal(["ollama/*"], state.Policy?.AllowedModels);
        Assert.Equal((3L, 30L, 10L, 0m), (state.Requests, state.PromptTokens, state.CompletionTokens, state.Spend));
        budget.Tell(new KeyBudget.Admit(KeyId, "r1", Model, Deployment, ""));
        Assert.Equal(RefusalReason.UnknownKey, ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct).Reason);
    }

    [Fact]
    public void A_journal_of_the_first_format_recovers_its_models_and_totals_but_admits_no_secret_until_provisioned()
    {
        WriteEvents(new KeyBudget.PolicySet(["ollama/*"]), new KeyBudget.UsageRecorded(1, 10, 5), new KeyBudget.UsageRecorded(1, 7, 3));

        var budget = NewBudget();

        var state = StateOf(budget, KeyId);
        Assert.Equal(["ollama/*"], state.Policy?.AllowedModels);
        Assert.Equal("", state.Policy?.SecretHash);
        Assert.Equal((2L, 17L, 8L, 0m), (state.Requests, state.PromptTokens, state.CompletionTokens, state.Spend));
        budget.Tell(new KeyBudget.Admit(KeyId, "r1", Model, Deployment, ""));
        Assert.Equal(RefusalReason.UnknownKey, ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct).Reason);
        budget.Tell(AdmitOf(KeyId, "r2", Model, Deployment));
        Assert.Equal(RefusalReason.UnknownKey, ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct).Reason);

        Provision(budget, KeyId, "*");   // what the host does for its master key at every start

        budget.Tell(AdmitOf(KeyId, "r3", "gpt-4o", "openai:gpt-*"));
        ExpectMsg(new ProviderBreaker.Permit("openai:gpt-*"), cancellationToken: Ct);
        Assert.Equal(2L, StateOf(budget, KeyId).Requests);
    }

    [Fact]
    public void Events_of_both_formats_recover_in_order()
    {
        var policy = PolicyFor("gpt-*");
        WriteEvents(
            new KeyBudget.PolicySet(["ollama/*"]),
            new KeyBudget.UsageRecorded(1, 10, 5),
            new KeyBudget.KeyPolicySet(policy),
            new KeyBudget.UsageRecorded(2, 20, 10, 0.02m, _clock.GetUtcNow()));

        var budget = NewBudget();

        var state = StateOf(budget, KeyId);
        Assert.Equal((3L, 30L, 15L, 0.02m), (state.Requests, state.PromptTokens, state.CompletionTokens, state.Spend));
        budget.Tell(AdmitOf(KeyId, "r1", "gpt-4o", "openai:gpt-*"));
        ExpectMsg(new ProviderBreaker.Permit("openai:gpt-*"), cancellationToken: Ct);
    }

    private void SaveSnapshot(KeyBudget.Totals totals)
    {
        Persistence.Instance.Apply(Sys).SnapshotStoreFor(null)
            .Tell(new Akka.Persistence.SaveSnapshot(new SnapshotMetadata(PersistenceId, 1, DateTime.UtcNow), totals), TestActor);
        ExpectMsg<SaveSnapshotSuccess>(cancellationToken: Ct);
    }

    private void WriteEvents(params object[] events)
    {
        var writer = Sys.ActorOf(Props.Create(() => new JournalWriter(PersistenceId, events)));
        writer.Tell("write");
        ExpectMsg("written", cancellationToken: Ct);
        StopAndAwait(writer);
    }

    /// <summary>Writes events to a persistence id as an older build of the router would have.</summary>
    private sealed class JournalWriter : ReceivePersistentActor
    {
        public JournalWriter(string persistenceId, object[] events)
        {
            PersistenceId = persistenceId;
            Command<string>(_ =>
            {
                var sender = Sender;
                PersistAll(events, _ => { });
                DeferAsync("written", done => sender.Tell(done));
            });
        }

        public override string PersistenceId { get; }
    }
}
