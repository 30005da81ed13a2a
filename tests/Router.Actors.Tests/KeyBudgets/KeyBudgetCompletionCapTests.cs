using Akka.Actor;
using Router.Actors.KeyBudgets;
using Router.Tests.Shared;
using Router.Contracts.Messages;
using Router.Contracts.Wire;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>
/// A budget is a cap: a request the budget cannot cover whole goes with the completion limit it covers, and reserves
/// exactly that, or is refused when not even the minimum fits. Requests here cost $0.01 of prompt plus $0.001 per
/// completion token per choice, so limits and reservations are easy to read.
/// </summary>
public sealed class KeyBudgetCompletionCapTests(ITestOutputHelper output) : KeyBudgetTestKit(output)
{
    private const string KeyId = "key-cap";
    private const string Deployment = "openai:gpt-*";
    private const string Model = "gpt-4o-mini";
    private const decimal PromptCost = 0.01m;
    private const decimal PerToken = 0.001m;
    private readonly ManualClock _clock = new();

    private IActorRef WithBudget(decimal? maxBudget)
    {
        var budget = Sys.ActorOf(KeyBudgetActor.Props(KeyId, _clock));
        Provision(budget, KeyId, PolicyFor() with { MaxBudget = maxBudget });
        return budget;
    }

    /// <summary>An admission of <paramref name="maxTokens"/> completion tokens for <paramref name="n"/> choices, lowerable down to <paramref name="minimum"/>.</summary>
    private static KeyBudget.Admit CappableAdmit(string requestId, int maxTokens, int n = 1, int minimum = 16, string deployment = "") =>
        new(KeyId, requestId, Model, deployment, SecretHash, PromptCost + maxTokens * n * PerToken, 10 + maxTokens * n,
            new KeyBudget.CompletionLimit(maxTokens, n, PerToken, minimum));

    private object AdmitReply(IActorRef budget, KeyBudget.Admit admit)
    {
        budget.Tell(admit);
        return ExpectMsg<object>(cancellationToken: Ct);
    }

    private ProviderBreaker.Permit ExpectPermit(IActorRef budget, KeyBudget.Admit admit) =>
        Assert.IsType<ProviderBreaker.Permit>(AdmitReply(budget, admit));

    [Fact]
    public void A_request_the_budget_covers_goes_as_it_was_sent()
    {
        var budget = WithBudget(1m);

        var permit = ExpectPermit(budget, CappableAdmit("r1", maxTokens: 100));

        Assert.Null(permit.CappedMaxTokens);
        Assert.Equal(0.11m, StateOf(budget, KeyId).Reserved);
    }

    [Fact]
    public void A_request_beyond_the_budget_is_lowered_to_the_completion_it_covers_and_reserves_exactly_that()
    {
        var budget = WithBudget(0.10m);

        var permit = ExpectPermit(budget, CappableAdmit("r1", maxTokens: 500));

        // $0.10 - $0.01 of prompt leaves $0.09: 90 completion tokens.
        Assert.Equal(90, permit.CappedMaxTokens);
        var state = StateOf(budget, KeyId);
        Assert.Equal((0.10m, 0m), (state.Reserved, state.Remaining));
    }

    [Fact]
    public void Choices_share_what_the_budget_covers()
    {
        var budget = WithBudget(0.10m);

        var permit = ExpectPermit(budget, CappableAdmit("r1", maxTokens: 500, n: 4));

        // $0.09 over 4 choices at $0.001: 22 tokens each, $0.088.
        Assert.Equal(22, permit.CappedMaxTokens);
        Assert.Equal(0.098m, StateOf(budget, KeyId).Reserved);
    }

    [Fact]
    public void Requests_in_flight_leave_the_rest_to_the_next_one()
    {
        var budget = WithBudget(0.20m);
        Assert.Null(ExpectPermit(budget, CappableAdmit("r1", maxTokens: 100)).CappedMaxTokens);

        // $0.11 is reserved by r1: $0.09 left, $0.08 of it for r2's completion.
        Assert.Equal(80, ExpectPermit(budget, CappableAdmit("r2", maxTokens: 100)).CappedMaxTokens);
        Assert.Equal(0.20m, StateOf(budget, KeyId).Reserved);
    }

    [Fact]
    public void A_request_is_refused_when_fewer_than_its_minimum_completion_tokens_fit()
    {
        var budget = WithBudget(0.025m);

        // $0.015 covers 15 completion tokens, one fewer than the minimum.
        var refused = Assert.IsType<KeyBudget.Refused>(AdmitReply(budget, CappableAdmit("r1", maxTokens: 500)));

        Assert.Equal(RefusalReason.BudgetExceeded, refused.Reason);
        Assert.Contains("may cost $0.51 ($0.026 with the smallest completion limit the router would lower it to, 16 tokens)", refused.Message,
            StringComparison.Ordinal);
        Assert.Equal((0m, 0), (StateOf(budget, KeyId).Reserved, StateOf(budget, KeyId).InFlight));
        Assert.Equal(15, ExpectPermit(budget, CappableAdmit("r2", maxTokens: 500, minimum: 15)).CappedMaxTokens);
    }

    [Fact]
    public void A_request_whose_own_limit_is_below_the_minimum_is_not_lowered()
    {
        var budget = WithBudget(0.02m);

        var refused = Assert.IsType<KeyBudget.Refused>(AdmitReply(budget, CappableAdmit("r1", maxTokens: 12)));

        Assert.Equal(RefusalReason.BudgetExceeded, refused.Reason);
        Assert.DoesNotContain("smallest completion limit", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_without_a_completion_limit_to_lower_is_admitted_whole_or_refused()
    {
        var budget = WithBudget(0.10m);

        budget.Tell(AdmitOf(KeyId, "r1", Model, "", 0.51m, 510));
        Assert.Equal(RefusalReason.BudgetExceeded, ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct).Reason);
        var zeroMinimum = Assert.IsType<KeyBudget.Refused>(AdmitReply(budget, CappableAdmit("r2", maxTokens: 500, minimum: 0)));
        Assert.Equal(RefusalReason.BudgetExceeded, zeroMinimum.Reason);
    }

    [Fact]
    public void A_key_without_a_budget_is_never_lowered()
    {
        var budget = WithBudget(null);

        Assert.Null(ExpectPermit(budget, CappableAdmit("r1", maxTokens: 1_000_000, n: 8)).CappedMaxTokens);
    }

    [Fact]
    public void An_admission_asked_again_is_told_the_same_limit()
    {
        var budget = WithBudget(0.10m);
        Assert.Equal(90, ExpectPermit(budget, CappableAdmit("r1", maxTokens: 500)).CappedMaxTokens);

        Assert.Equal(90, ExpectPermit(budget, CappableAdmit("r1", maxTokens: 500)).CappedMaxTokens);
        Assert.Equal((0.10m, 1), (StateOf(budget, KeyId).Reserved, StateOf(budget, KeyId).InFlight));
    }

    [Fact]
    public void The_lowered_limit_reaches_the_asker_through_the_breaker()
    {
        var budget = WithBudget(0.10m);

        var permit = ExpectPermit(budget, CappableAdmit("r1", maxTokens: 500, deployment: Deployment));

        Assert.Equal(Deployment, permit.DeploymentId);
        Assert.Equal(90, permit.CappedMaxTokens);
    }

    [Fact]
    public void A_key_with_a_budget_is_refused_a_model_without_a_price()
    {
        var budget = WithBudget(5m);

        budget.Tell(new KeyBudget.Admit(KeyId, "r1", Model, "", SecretHash, Unpriced: true));

        var refused = ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct);
        Assert.Equal(RefusalReason.ModelNotPriced, refused.Reason);
        Assert.Contains("'gpt-4o-mini' has no price", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, StateOf(budget, KeyId).InFlight);
    }

    [Fact]
    public void A_key_without_a_budget_may_use_a_model_without_a_price()
    {
        var budget = WithBudget(null);

        budget.Tell(new KeyBudget.Admit(KeyId, "r1", Model, "", SecretHash, Unpriced: true));

        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
    }

    /// <summary>
    /// The property: whatever requests arrive at once (any n, any limit, any prompt) and however each ends (settled at
    /// any cost up to what its granted limit allows, or abandoned), the key's spend never passes its budget; and every
    /// request admitted was given at least its minimum.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Concurrent_requests_of_any_shape_never_spend_beyond_the_budget(int seed)
    {
        const decimal maxBudget = 0.75m;
        const int minimum = 16;
        var budget = WithBudget(maxBudget);
        var admitted = 0;
        var lowered = 0;

        var ended = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var random = new Random(seed * 1000 + i);
            // Staggered arrivals, so that requests keep coming while others settle and the budget is used up to its end.
            await Task.Delay(random.Next(0, 60));
            var n = random.Next(1, 5);
            var maxTokens = random.Next(1, 400);
            var promptCost = random.Next(0, 5_000) * 0.000001m;
            var perToken = random.Next(1, 100) * 0.000001m;
            var admit = new KeyBudget.Admit(KeyId, $"r{i}", Model, "", SecretHash, promptCost + maxTokens * n * perToken, maxTokens * n,
                new KeyBudget.CompletionLimit(maxTokens, n, perToken, minimum));
            var reply = await budget.Ask<object>(admit, TimeSpan.FromSeconds(10));
            if (reply is not ProviderBreaker.Permit permit) return 0m;
            Interlocked.Increment(ref admitted);
            var limit = permit.CappedMaxTokens ?? maxTokens;
            if (permit.CappedMaxTokens is { } capped)
            {
                Interlocked.Increment(ref lowered);
                Assert.InRange(capped, minimum, maxTokens - 1);
            }
            await Task.Delay(random.Next(0, 10));
            var ending = random.Next(5);
            if (ending == 0)
            {
                budget.Tell(new KeyBudget.Settle(KeyId, $"r{i}", Model, TokenUsage.None)); // abandoned before any answer
                return 0m;
            }
            // The provider stops anywhere up to the limit it was sent, on every choice; often right at it (cut off by the limit).
            var completion = ending == 1 ? random.Next(0, limit + 1) : limit;
            var cost = promptCost + completion * n * perToken;
            budget.Tell(new KeyBudget.Settle(KeyId, $"r{i}", Model, new TokenUsage(1, 1, 0), cost));
            return cost;
        })));

        var state = AwaitState(budget, KeyId, s => s.InFlight == 0);
        Assert.Equal(ended.Sum(), state.Spend);
        Assert.True(state.Spend <= maxBudget, $"spent {state.Spend} of a {maxBudget} budget");
        Assert.Equal(0m, state.Reserved);
        // Exercised at the budget's edge, where overrunning would happen: it was used up, and requests were lowered to fit.
        Assert.True(state.Spend > 0.9m * maxBudget && lowered > 0,
            $"{admitted} admitted, {lowered} lowered, {state.Spend} spent: the property was not exercised near the budget");
    }
}
