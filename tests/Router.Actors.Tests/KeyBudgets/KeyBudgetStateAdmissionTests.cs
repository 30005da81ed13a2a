using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using static Router.Actors.Tests.KeyBudgets.KeyStates;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>Admission decided by <see cref="KeyBudgetState"/> alone: the policy's checks and the budget, without an actor system.</summary>
public sealed class KeyBudgetStateAdmissionTests
{
    private static RefusalReason? ReasonOf(KeyBudgetState key, KeyBudget.Admit admit, DateTimeOffset? at = null) =>
        key.Decide(admit, at ?? T0).Refused?.Reason;

    [Fact]
    public void A_key_never_provisioned_is_unknown()
    {
        var admission = KeyBudgetState.Empty.Decide(Admit("r1"), T0);

        Assert.Equal(RefusalReason.UnknownKey, admission.Refused?.Reason);
        Assert.Equal(KeyId, admission.Refused?.KeyId);
        Assert.Null(admission.Admitted);
    }

    [Fact]
    public void A_deleted_key_is_unknown_until_it_is_provisioned_again()
    {
        var deleted = KeyWith(Policy()).Apply(new KeyBudget.KeyDeleted(T0));

        Assert.Equal(RefusalReason.UnknownKey, ReasonOf(deleted, Admit("r1")));
        Assert.Null(ReasonOf(deleted.Apply(new KeyBudget.KeyPolicySet(Policy())), Admit("r1")));
    }

    [Fact]
    public void A_request_presenting_another_secret_is_refused_as_unknown_and_an_empty_hash_matches_nothing()
    {
        Assert.Equal(RefusalReason.UnknownKey, ReasonOf(KeyWith(Policy()), Admit("r1") with { SecretHash = "ab12cd35" }));
        Assert.Equal(RefusalReason.UnknownKey, ReasonOf(KeyWith(Policy() with { SecretHash = "" }), Admit("r1") with { SecretHash = "" }));
    }

    [Fact]
    public void A_blocked_key_is_refused()
    {
        Assert.Equal(RefusalReason.Blocked, ReasonOf(KeyWith(Policy() with { Blocked = true }), Admit("r1")));
    }

    [Fact]
    public void A_key_expires_at_its_expiry_time_not_after()
    {
        Assert.Equal(RefusalReason.Expired, ReasonOf(KeyWith(Policy() with { Expires = T0 }), Admit("r1"), T0));
        Assert.Null(ReasonOf(KeyWith(Policy() with { Expires = T0.AddTicks(1) }), Admit("r1"), T0));
    }

    [Theory]
    [InlineData("ollama/llama3", null)]
    [InlineData("gpt-4o", RefusalReason.ModelNotAllowed)]
    [InlineData("ollama", RefusalReason.ModelNotAllowed)]
    public void Only_the_allowed_models_are_admitted(string model, RefusalReason? expected)
    {
        var key = KeyWith(Policy() with { AllowedModels = ["ollama/*"] });

        Assert.Equal(expected, ReasonOf(key, Admit("r1", model: model)));
    }

    [Fact]
    public void A_model_without_a_price_is_refused_to_a_key_with_a_budget_only()
    {
        Assert.Equal(RefusalReason.ModelNotPriced, ReasonOf(KeyWith(Policy(maxBudget: 5m)), Admit("r1", unpriced: true)));
        Assert.Null(ReasonOf(KeyWith(Policy()), Admit("r1", unpriced: true)));
    }

    [Fact]
    public void A_request_within_the_budget_reserves_its_whole_estimate()
    {
        var (key, admission) = KeyWith(Policy(maxBudget: 1m)).Admitted(Admit("r1", cost: 0.25m, tokens: 100), T0);

        Assert.Equal(new Reservation(0.25m, 100, null), admission.Admitted?.Reservation);
        Assert.Null(admission.CappedMaxTokens);
        Assert.Equal((0.25m, 1, 1), (key.Reservations.Reserved, key.Reservations.InFlight, key.Rates.Requests));
    }

    [Fact]
    public void Requests_are_admitted_until_spend_and_reservations_reach_the_budget_exactly()
    {
        var key = KeyWith(Policy(maxBudget: 1m)).Granted(Admit("r0", cost: 0.25m), T0).Settled("r0", 0.25m, T0);
        for (var i = 1; i < 4; i++) key = key.Granted(Admit($"r{i}", cost: 0.25m), T0);

        var refused = key.Decide(Admit("r4", cost: 0.25m), T0).Refused;

        Assert.Equal(RefusalReason.BudgetExceeded, refused?.Reason);
        Assert.Equal(
            "Budget exceeded: this key has spent $0.25 of its $1 budget, $0.75 is reserved by requests in flight, and this request may cost $0.25.",
            refused?.Message);
        Assert.Null(key.Decide(Admit("r4", cost: 0m), T0).Refused);
    }

    [Fact]
    public void A_granted_request_is_told_what_the_budget_has_left_besides_itself()
    {
        var key = KeyWith(Policy(maxBudget: 1m)).Granted(Admit("r1", cost: 0.25m), T0).Settled("r1", 0.10m, T0).Granted(Admit("r2", cost: 0.25m), T0);

        var admission = key.Decide(Admit("r3", cost: 0.25m), T0);

        // $1 less $0.10 spent less $0.25 held by r2: r3's own reservation is not counted against it.
        Assert.Equal(0.65m, admission.Remaining);
        Assert.Null(KeyWith(Policy()).Decide(Admit("r1", cost: 0.25m), T0).Remaining);
    }

    [Fact]
    public void An_admission_asked_again_gets_the_same_terms_and_no_event()
    {
        var completion = new KeyBudget.CompletionLimit(500, 1, 0.001m, 16);
        var (key, first) = KeyWith(Policy(maxBudget: 0.10m)).Admitted(Admit("r1", cost: 0.51m, tokens: 510, completion: completion), T0);

        var again = key.Decide(Admit("r1", cost: 0.51m, tokens: 510, completion: completion), T0.AddSeconds(1));

        Assert.Null(again.Admitted);
        Assert.Equal((first.Remaining, first.CappedMaxTokens), (again.Remaining, again.CappedMaxTokens));
        Assert.Equal(90, again.CappedMaxTokens);
    }

    [Fact]
    public void A_refused_request_holds_nothing_and_takes_no_rate_slot()
    {
        var (key, admission) = KeyWith(Policy(maxBudget: 0.10m)).Admitted(Admit("r1", cost: 0.5m, tokens: 100), T0);

        Assert.False(admission.IsGranted);
        Assert.Equal((0m, 0, 0, 0L), (key.Reservations.Reserved, key.Reservations.InFlight, key.Rates.Requests, key.Reservations.ReservedTokens));
    }
}
