using Akka.Actor;
using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using Router.Contracts.Wire;

namespace Router.Actors.Tests.KeyBudgets;

public sealed class KeyBudgetSettlementTests(ITestOutputHelper output) : KeyBudgetTestKit(output)
{
    private const string KeyId = "key-bob";

    private IActorRef ProvisionedWithTwoInFlight()
    {
        var budget = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        Provision(budget, KeyId, "ollama/*");
        for (var i = 0; i < 2; i++)
        {
            budget.Tell(AdmitOf(KeyId, $"r{i}", "ollama/llama3", "ollama:ollama/*"));
            ExpectMsg<ProviderBreaker.Permit>(TimeSpan.FromSeconds(3));
        }
        return budget;
    }

    [Fact]
    public void Settling_adds_the_usage_to_the_totals_and_ends_the_request()
    {
        var budget = ProvisionedWithTwoInFlight();

        budget.Tell(new KeyBudget.Settle(KeyId, "r0", "ollama/llama3", new TokenUsage(10, 5, 2)));

        var state = AwaitState(budget, KeyId, s => s.Requests == 1);
        Assert.Equal(new KeyBudget.State(KeyId, state.Policy, false, 1, 10, 5, 0m, 0m, null, 0m, 1, 2, 15), state);
        Assert.Equal(["ollama/*"], state.Policy?.AllowedModels);
    }

    [Fact]
    public void Each_settlement_accumulates()
    {
        var budget = ProvisionedWithTwoInFlight();

        budget.Tell(new KeyBudget.Settle(KeyId, "r0", "ollama/llama3", new TokenUsage(10, 5, 0)));
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", "ollama/llama3", new TokenUsage(7, 3, 0)));

        var state = AwaitState(budget, KeyId, s => s.Requests == 2);
        Assert.Equal((17L, 8L, 0), (state.PromptTokens, state.CompletionTokens, state.InFlight));
    }

    [Fact]
    public void A_request_that_ends_as_it_is_admitted_counts_against_the_rate_and_leaves_nothing_in_flight()
    {
        var budget = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        Provision(budget, KeyId, "*");

        // An answer from the cache: admitted by the key's actor alone, with no settlement to follow.
        budget.Tell(AdmitOf(KeyId, "hit", "gpt-4o", "") with { EndsAtOnce = true });
        ExpectMsg<ProviderBreaker.Permit>(TimeSpan.FromSeconds(3), cancellationToken: TestContext.Current.CancellationToken);

        var state = StateOf(budget, KeyId);
        Assert.Equal((0, 1, 0L, 0m), (state.InFlight, state.RequestsLastMinute, state.Requests, state.Reserved));
    }

    [Fact]
    public void The_in_flight_count_never_drops_below_zero()
    {
        var budget = Sys.ActorOf(KeyBudgetActor.Props(KeyId));
        Provision(budget, KeyId, "*");

        budget.Tell(new KeyBudget.Settle(KeyId, "stray", "gpt-4o", TokenUsage.None));
        budget.Tell(new KeyBudget.Settle(KeyId, "stray-again", "gpt-4o", TokenUsage.None));

        var state = StateOf(budget, KeyId);
        Assert.Equal(0, state.InFlight);
        Assert.Equal(0, state.Requests); // nothing was used, so nothing was recorded
    }

    [Fact]
    public void A_new_key_reports_empty_state()
    {
        var budget = Sys.ActorOf(KeyBudgetActor.Props(KeyId));

        var state = StateOf(budget, KeyId);

        Assert.Equal(KeyId, state.KeyId);
        Assert.Null(state.Policy);
        Assert.False(state.IsProvisioned);
        Assert.Equal((0L, 0L, 0L, 0), (state.Requests, state.PromptTokens, state.CompletionTokens, state.InFlight));
    }
}
