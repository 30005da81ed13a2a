using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using static Router.Actors.Tests.KeyBudgets.KeyStates;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>
/// A rough estimate (the prompt counted as its bytes, above its tokens) is admitted only whole: where it would be lowered or
/// refused, the key asks for the exact estimate instead, so that no request is lowered or refused for the roughness of its
/// bound. Any other refusal is given as before.
/// </summary>
public sealed class KeyBudgetStateRoughEstimateTests
{
    private static readonly KeyBudget.CompletionLimit Completion = new(Tokens: 100, Choices: 1, CostPerToken: 0.001m, Minimum: 16);

    /// <summary>A prompt of <paramref name="prompt"/> dollars and tokens' worth beside a completion of 100 tokens at $0.001.</summary>
    private static KeyBudget.Admit Request(string requestId, decimal prompt, bool rough, int promptTokens = 10) =>
        Admit(requestId, prompt + 0.1m, promptTokens + 100, Completion) with { Rough = rough };

    [Fact]
    public void A_rough_estimate_that_fits_whole_is_admitted_and_reserved_as_it_is()
    {
        var admission = KeyWith(Policy(maxBudget: 1m)).Decide(Request("r1", prompt: 0.4m, rough: true), T0);

        Assert.True(admission.IsGranted);
        Assert.Equal(new Reservation(0.5m, 110, null), admission.Admitted?.Reservation);
    }

    [Fact]
    public void A_rough_estimate_the_budget_would_lower_asks_for_the_exact_one_which_then_goes_whole()
    {
        var key = KeyWith(Policy(maxBudget: 0.2m));

        Assert.Equal(50, key.Decide(Request("r1", prompt: 0.15m, rough: false), T0).CappedMaxTokens); // were it exact
        Assert.Equal(RefusalReason.EstimateTooRough, key.Decide(Request("r1", prompt: 0.15m, rough: true), T0).Refused?.Reason);
        var exact = key.Decide(Request("r1", prompt: 0.05m, rough: false), T0);
        Assert.True(exact.IsGranted);
        Assert.Null(exact.CappedMaxTokens);
    }

    [Fact]
    public void A_rough_estimate_the_budget_cannot_cover_at_all_asks_for_the_exact_one_rather_than_refusing()
    {
        var key = KeyWith(Policy(maxBudget: 0.05m));

        Assert.Equal(RefusalReason.EstimateTooRough, key.Decide(Request("r1", prompt: 0.2m, rough: true), T0).Refused?.Reason);
        Assert.Equal(RefusalReason.BudgetExceeded, key.Decide(Request("r1", prompt: 0.2m, rough: false), T0).Refused?.Reason);
    }

    [Fact]
    public void A_rough_estimate_over_the_tokens_per_minute_asks_for_the_exact_one_rather_than_refusing()
    {
        var key = KeyWith(Policy() with { TpmLimit = 500 });

        Assert.Equal(RefusalReason.EstimateTooRough, key.Decide(Request("r1", 0, rough: true, promptTokens: 800), T0).Refused?.Reason);
        Assert.Equal(RefusalReason.RateLimited, key.Decide(Request("r1", 0, rough: false, promptTokens: 800), T0).Refused?.Reason);
        Assert.True(key.Decide(Request("r1", 0, rough: false, promptTokens: 200), T0).IsGranted);
    }

    [Fact]
    public void Refusals_that_no_count_could_change_are_given_to_a_rough_estimate_as_they_are()
    {
        var rough = Request("r1", 0.01m, rough: true);

        Assert.Equal(RefusalReason.Blocked, KeyWith(Policy() with { Blocked = true }).Decide(rough, T0).Refused?.Reason);
        Assert.Equal(RefusalReason.RateLimited,
            KeyWith(Policy() with { RpmLimit = 1 }).Granted(Request("r0", 0.01m, rough: true), T0).Decide(rough, T0).Refused?.Reason);
        Assert.Equal(RefusalReason.UnknownKey, KeyWith(Policy() with { SecretHash = "other" }).Decide(rough, T0).Refused?.Reason);
    }
}
