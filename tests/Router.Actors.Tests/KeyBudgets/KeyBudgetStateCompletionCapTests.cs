using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using static Router.Actors.Tests.KeyBudgets.KeyStates;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>
/// A budget is a cap, decided by <see cref="KeyBudgetState"/> alone: a request the budget cannot cover whole goes with the
/// largest completion limit it covers, or is refused when not even its minimum fits. Fast enough to check against a
/// brute-force reference over many random prices, and the budget's bound over many random sequences of requests.
/// </summary>
public sealed class KeyBudgetStateCompletionCapTests
{
    private const decimal Prompt = 0.01m;
    private const decimal PerToken = 0.001m;

    private static KeyBudget.Admit Cappable(string requestId, int maxTokens, int n = 1, int minimum = 16, decimal prompt = Prompt, decimal perToken = PerToken) =>
        Admit(requestId, prompt + maxTokens * n * perToken, 10 + maxTokens * n, new KeyBudget.CompletionLimit(maxTokens, n, perToken, minimum));

    [Theory]
    [InlineData("1", 100, 1, null)]
    [InlineData("0.10", 500, 1, 90)]
    [InlineData("0.10", 500, 4, 22)]
    [InlineData("0.0265", 500, 1, 16)]
    [InlineData("0.111", 100, 1, null)]
    public void A_request_goes_whole_when_the_budget_covers_it_else_with_the_largest_limit_it_covers(string budget, int maxTokens, int n, int? expected)
    {
        var admit = Cappable("r1", maxTokens, n);

        var admission = KeyWith(Policy(maxBudget: decimal.Parse(budget, System.Globalization.CultureInfo.InvariantCulture))).Decide(admit, T0);

        Assert.Equal(expected, admission.CappedMaxTokens);
        var limit = expected ?? maxTokens;
        // It reserves exactly what its limit may cost, and keeps its own token estimate for the TPM limit.
        Assert.Equal(new Reservation(Prompt + limit * n * PerToken, admit.EstimatedTokens, expected), admission.Admitted?.Reservation);
    }

    [Fact]
    public void A_request_is_refused_when_fewer_than_its_minimum_completion_tokens_fit()
    {
        var refused = KeyWith(Policy(maxBudget: 0.025m)).Decide(Cappable("r1", maxTokens: 500), T0).Refused;

        Assert.Equal(RefusalReason.BudgetExceeded, refused?.Reason);
        Assert.Contains("($0.026 with the smallest completion limit the router would lower it to, 16 tokens)", refused?.Message);
    }

    [Theory]
    [InlineData(500, 0)] // the asker allows no lowering
    [InlineData(16, 16)] // its own limit is no more than the minimum
    public void A_request_that_may_not_be_lowered_goes_whole_or_is_refused(int maxTokens, int minimum)
    {
        var key = KeyWith(Policy(maxBudget: 0.02m));

        Assert.Equal(RefusalReason.BudgetExceeded, key.Decide(Cappable("r1", maxTokens, minimum: minimum), T0).Refused?.Reason);
        Assert.DoesNotContain("smallest completion limit", key.Decide(Cappable("r1", maxTokens, minimum: minimum), T0).Refused?.Message);
    }

    [Fact]
    public void A_request_whose_prompt_alone_is_beyond_what_is_left_is_refused()
    {
        Assert.False(KeyWith(Policy(maxBudget: 0.009m)).Decide(Cappable("r1", maxTokens: 500, minimum: 1), T0).IsGranted);
    }

    [Fact]
    public void A_key_without_a_budget_is_never_lowered()
    {
        var admission = KeyWith(Policy()).Decide(Cappable("r1", maxTokens: 100_000), T0);

        Assert.Null(admission.CappedMaxTokens);
        Assert.Equal(Prompt + 100_000 * PerToken, admission.Admitted?.Reservation.Cost);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void The_limit_is_the_largest_the_budget_covers_at_any_price_against_a_brute_force_reference(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 300; i++)
        {
            // Prices with many digits (as per-token prices are), so that decimal division has to round.
            var perToken = random.Next(1, 100_000) / 3_000_000_000m;
            var prompt = random.Next(0, 100_000) / 7_000_000m;
            var (maxTokens, n, minimum) = (random.Next(1, 4_000), random.Next(1, 5), random.Next(0, 64));
            var budget = random.Next(0, 1_000_000) / 9_000_000m;
            var admit = Cappable("r", maxTokens, n, minimum, prompt, perToken);

            var admission = KeyWith(Policy(maxBudget: budget)).Decide(admit, T0);

            int? expected = null;
            var refused = false;
            if (admit.EstimatedCost > budget)
            {
                // The prompt's part as the key counts it: the estimate less its completion part, each limit token costing n tokens.
                var promptCost = Math.Max(0, admit.EstimatedCost - maxTokens * perToken * n);
                var perLimitToken = perToken * n;
                expected = Enumerable.Range(0, maxTokens).Reverse().Cast<int?>().FirstOrDefault(limit => promptCost + limit!.Value * perLimitToken <= budget);
                refused = minimum == 0 || maxTokens <= minimum || expected is null || expected < minimum;
            }
            var context = $"budget {budget}, prompt {prompt}, per token {perToken}, n {n}, max {maxTokens}, minimum {minimum}";
            Assert.True(refused == !admission.IsGranted, context);
            if (!refused) Assert.True(expected == admission.CappedMaxTokens, $"{context}: {admission.CappedMaxTokens} instead of {expected}");
            if (admission.Admitted is { } admitted) Assert.True(admitted.Reservation.Cost <= budget, context);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void However_requests_arrive_and_settle_spend_plus_reservations_never_pass_the_budget(int seed)
    {
        const decimal budget = 0.5m;
        var random = new Random(seed);
        var key = KeyWith(Policy(maxBudget: budget));
        var inFlight = new List<string>();
        for (var i = 0; i < 2_000; i++)
        {
            var at = T0.AddMilliseconds(i);
            if (inFlight.Count > 0 && random.Next(3) == 0)
            {
                // A request settles at most at what it reserved (the provider bills no more than its limit allows).
                var id = inFlight[random.Next(inFlight.Count)];
                inFlight.Remove(id);
                var held = key.Reservations.Of(id).Cost;
                key = key.Settled(id, held * random.Next(0, 101) / 100m, at);
            }
            else
            {
                var admit = Cappable($"r{i}", random.Next(1, 300), random.Next(1, 4), random.Next(0, 32));
                var (after, admission) = key.Admitted(admit, at);
                key = after;
                if (admission.IsGranted) inFlight.Add(admit.RequestId);
            }

            Assert.True(key.Period.Spend + key.Reservations.Reserved <= budget, $"step {i}: {key.Period.Spend} spent and {key.Reservations.Reserved} reserved");
            Assert.Equal(key.Reservations.Held.Values.Sum(r => r.Cost), key.Reservations.Reserved);
            Assert.Equal(inFlight.Count, key.Reservations.InFlight);
        }
    }
}
