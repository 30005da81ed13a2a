using Akka.Actor;
using Router.Actors.KeyBudgets;
using Router.Tests.Shared;
using Router.Contracts.Messages;
using Router.Contracts.Wire;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>The budget: reserved at admission, replaced by the real cost at settlement, per period.</summary>
public sealed class KeyBudgetSpendTests(ITestOutputHelper output) : KeyBudgetTestKit(output)
{
    private const string KeyId = "key-grace";
    private const string Deployment = "openai:gpt-*";
    private const string Model = "gpt-4o-mini";
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private readonly ManualClock _clock = new();

    private IActorRef Provisioned(KeyPolicy policy)
    {
        var budget = Sys.ActorOf(KeyBudgetActor.Props(KeyId, _clock));
        Provision(budget, KeyId, policy);
        return budget;
    }

    private IActorRef WithBudget(decimal maxBudget) => Provisioned(PolicyFor() with { MaxBudget = maxBudget });

    private static KeyBudget.Settle SettleOf(string requestId, decimal cost) =>
        new(KeyId, requestId, Model, new TokenUsage(100, 50, 0), cost);

    private ProviderBreaker.Permit ExpectPermit(IActorRef budget, string requestId, decimal estimatedCost)
    {
        budget.Tell(AdmitOf(KeyId, requestId, Model, Deployment, estimatedCost));
        var permit = ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
        Assert.Equal(Deployment, permit.DeploymentId);
        return permit;
    }

    private KeyBudget.Refused ExpectBudgetExceeded(IActorRef budget, string requestId, decimal estimatedCost)
    {
        budget.Tell(AdmitOf(KeyId, requestId, Model, Deployment, estimatedCost));
        var refused = ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct);
        Assert.Equal(RefusalReason.BudgetExceeded, refused.Reason);
        return refused;
    }

    /// <summary>Sends every admission at once from its own asker, as concurrent requests would.</summary>
    private static async Task<object[]> AdmitConcurrently(IActorRef budget, int count, decimal estimatedCost) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() =>
            budget.Ask<object>(AdmitOf(KeyId, $"r{i}", Model, Deployment, estimatedCost), AskTimeout))));

    [Fact]
    public async Task Concurrent_admissions_reserve_exactly_the_budget_and_no_more()
    {
        var budget = WithBudget(0.50m);

        var replies = await AdmitConcurrently(budget, 200, 0.01m);

        Assert.Equal(50, replies.Count(r => r is ProviderBreaker.Permit));
        var refusals = replies.OfType<KeyBudget.Refused>().ToList();
        Assert.Equal(150, refusals.Count);
        Assert.All(refusals, r => Assert.Equal(RefusalReason.BudgetExceeded, r.Reason));
        var message = refusals[0].Message;
        Assert.Contains("spent $0 of its $0.5 budget", message, StringComparison.Ordinal);
        Assert.Contains("$0.5 is reserved", message, StringComparison.Ordinal);
        Assert.Contains("may cost $0.01", message, StringComparison.Ordinal);
        var state = StateOf(budget, KeyId);
        Assert.Equal((0.50m, 50, 0m, 0m), (state.Reserved, state.InFlight, state.Spend, state.Remaining));
    }

    [Fact]
    public async Task Settling_every_admitted_request_at_its_estimate_spends_exactly_the_budget()
    {
        var budget = WithBudget(0.50m);
        var replies = await AdmitConcurrently(budget, 200, 0.01m);
        var admitted = Enumerable.Range(0, 200).Where(i => replies[i] is ProviderBreaker.Permit).ToList();

        foreach (var i in admitted)
        {
            budget.Tell(SettleOf($"r{i}", 0.01m));
            Assert.True(StateOf(budget, KeyId).Spend <= 0.50m);
        }

        var state = StateOf(budget, KeyId);
        Assert.Equal((0.50m, 0.50m, 0m, 0, 0m), (state.Spend, state.PeriodSpend, state.Reserved, state.InFlight, state.Remaining));
        Assert.Equal(50L, state.Requests);
        var refused = ExpectBudgetExceeded(budget, "after", 0.01m);
        Assert.Contains("spent $0.5 of its $0.5 budget", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("reserved", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_admitted_and_settled_concurrently_never_spend_beyond_the_budget()
    {
        var budget = WithBudget(0.50m);

        var permits = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var reply = await budget.Ask<object>(AdmitOf(KeyId, $"r{i}", Model, Deployment, 0.01m), AskTimeout);
            if (reply is not ProviderBreaker.Permit) return 0;
            budget.Tell(SettleOf($"r{i}", 0.01m));
            return 1;
        })));

        Assert.Equal(50, permits.Sum());
        var state = StateOf(budget, KeyId);
        Assert.Equal((0.50m, 0m, 0), (state.Spend, state.Reserved, state.InFlight));
    }

    [Fact]
    public void A_settlement_cheaper_than_its_reservation_frees_room_for_more()
    {
        var budget = WithBudget(0.50m);
        for (var i = 0; i < 50; i++) ExpectPermit(budget, $"r{i}", 0.01m);
        ExpectBudgetExceeded(budget, "more", 0.01m);

        budget.Tell(SettleOf("r0", 0.005m));
        budget.Tell(SettleOf("r1", 0.005m));

        var state = StateOf(budget, KeyId);
        Assert.Equal((0.01m, 0.48m, 0.01m), (state.Spend, state.Reserved, state.Remaining));
        ExpectPermit(budget, "more", 0.01m);
        ExpectBudgetExceeded(budget, "more-again", 0.001m);
    }

    [Fact]
    public void A_settlement_dearer_than_its_reservation_counts_its_real_cost()
    {
        var budget = WithBudget(0.50m);
        ExpectPermit(budget, "r1", 0.10m);

        budget.Tell(SettleOf("r1", 0.45m));

        var state = StateOf(budget, KeyId);
        Assert.Equal((0.45m, 0m, 0.05m), (state.Spend, state.Reserved, state.Remaining));
        ExpectBudgetExceeded(budget, "r2", 0.06m);
        Assert.Equal(0.05m, ExpectPermit(budget, "r2", 0.05m).KeyRemaining);
    }

    [Fact]
    public void A_permit_tells_what_the_budget_has_left_besides_the_request_it_admits()
    {
        var budget = WithBudget(1.00m);
        Assert.Equal(1.00m, ExpectPermit(budget, "r1", 0.10m).KeyRemaining);
        budget.Tell(SettleOf("r1", 0.25m));

        // r2 still holds its reservation while r3 is admitted: both are counted out of what is left.
        Assert.Equal(0.75m, ExpectPermit(budget, "r2", 0.10m).KeyRemaining);
        Assert.Equal(0.65m, ExpectPermit(budget, "r3", 0.10m).KeyRemaining);
    }

    [Fact]
    public void An_admission_asked_again_is_answered_alike_and_counted_once()
    {
        var budget = WithBudget(0.10m);
        Assert.Equal(0.10m, ExpectPermit(budget, "r1", 0.10m).KeyRemaining);

        // As a node of a pair asks again when the answer is late: the budget is full, yet r1 is admitted already.
        Assert.Equal(0.10m, ExpectPermit(budget, "r1", 0.10m).KeyRemaining);

        var state = StateOf(budget, KeyId);
        Assert.Equal((0.10m, 1, 1), (state.Reserved, state.InFlight, state.RequestsLastMinute));
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, TokenUsage.None));
        Assert.Equal(0m, StateOf(budget, KeyId).Reserved);
    }

    [Fact]
    public void A_request_that_fails_gives_its_whole_reservation_back()
    {
        var budget = WithBudget(0.10m);
        ExpectPermit(budget, "r1", 0.10m);
        ExpectBudgetExceeded(budget, "r2", 0.01m);

        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, TokenUsage.None));

        var state = StateOf(budget, KeyId);
        Assert.Equal((0m, 0m, 0L), (state.Spend, state.Reserved, state.Requests));
        ExpectPermit(budget, "r2", 0.10m);
    }

    [Fact]
    public void A_settlement_for_an_unknown_request_frees_no_other_reservation()
    {
        var budget = WithBudget(0.10m);
        ExpectPermit(budget, "r1", 0.10m);

        budget.Tell(new KeyBudget.Settle(KeyId, "stranger", Model, TokenUsage.None));

        Assert.Equal(0.10m, StateOf(budget, KeyId).Reserved);
        ExpectBudgetExceeded(budget, "r2", 0.01m);
    }

    [Fact]
    public void A_key_without_a_budget_admits_any_estimate_and_still_counts_spend()
    {
        var budget = Provisioned(PolicyFor());
        ExpectPermit(budget, "r1", 1_000m);
        budget.Tell(SettleOf("r1", 999.99m));

        var state = StateOf(budget, KeyId);

        Assert.Equal(999.99m, state.Spend);
        Assert.Null(state.Remaining);
    }

    [Fact]
    public void The_budget_period_starts_again_after_its_duration_and_spend_keeps_the_total()
    {
        var start = _clock.GetUtcNow();
        var budget = Provisioned(PolicyFor() with { MaxBudget = 0.50m, BudgetDuration = TimeSpan.FromHours(1), CreatedAt = start });
        ExpectPermit(budget, "r1", 0.50m);
        budget.Tell(SettleOf("r1", 0.50m));
        var refused = ExpectBudgetExceeded(budget, "r2", 0.01m);
        Assert.Contains((start + TimeSpan.FromHours(1)).ToString("u", System.Globalization.CultureInfo.InvariantCulture),
            refused.Message, StringComparison.Ordinal);
        var before = StateOf(budget, KeyId);
        Assert.Equal((0.50m, 0.50m, start + TimeSpan.FromHours(1)), (before.Spend, before.PeriodSpend, before.PeriodResetsAt));

        _clock.Advance(TimeSpan.FromHours(1));

        var after = StateOf(budget, KeyId);
        Assert.Equal((0.50m, 0m, start + TimeSpan.FromHours(2)), (after.Spend, after.PeriodSpend, after.PeriodResetsAt));
        Assert.Equal(0.50m, after.Remaining);
        ExpectPermit(budget, "r2", 0.50m);
    }

    [Fact]
    public void A_period_that_ended_long_ago_rolls_to_the_period_holding_now()
    {
        var start = _clock.GetUtcNow();
        var budget = Provisioned(PolicyFor() with { MaxBudget = 1m, BudgetDuration = TimeSpan.FromDays(1), CreatedAt = start });
        ExpectPermit(budget, "r1", 0.10m);
        budget.Tell(SettleOf("r1", 1m));
        Assert.Equal(1m, StateOf(budget, KeyId).PeriodSpend);   // settled before the clock moves

        _clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromHours(5));

        var state = StateOf(budget, KeyId);
        Assert.Equal((1m, 0m, start + TimeSpan.FromDays(11)), (state.Spend, state.PeriodSpend, state.PeriodResetsAt));
    }

    [Fact]
    public void Spend_settled_after_the_period_rolled_counts_in_the_new_period()
    {
        var start = _clock.GetUtcNow();
        var budget = Provisioned(PolicyFor() with { MaxBudget = 0.50m, BudgetDuration = TimeSpan.FromHours(1), CreatedAt = start });
        ExpectPermit(budget, "r1", 0.30m);
        budget.Tell(SettleOf("r1", 0.30m));
        Assert.Equal(0.30m, StateOf(budget, KeyId).PeriodSpend);   // settled before the clock moves

        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        ExpectPermit(budget, "r2", 0.20m);
        budget.Tell(SettleOf("r2", 0.20m));

        var state = StateOf(budget, KeyId);
        Assert.Equal((0.50m, 0.20m, 0.30m), (state.Spend, state.PeriodSpend, state.Remaining));
    }

    [Fact]
    public void Reservations_carry_over_into_the_next_period()
    {
        var start = _clock.GetUtcNow();
        var budget = Provisioned(PolicyFor() with { MaxBudget = 0.50m, BudgetDuration = TimeSpan.FromHours(1), CreatedAt = start });
        ExpectPermit(budget, "r1", 0.40m);

        _clock.Advance(TimeSpan.FromHours(1));

        ExpectBudgetExceeded(budget, "r2", 0.11m);
        ExpectPermit(budget, "r2", 0.10m);
    }
}
