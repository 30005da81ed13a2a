using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using static Router.Actors.Tests.KeyBudgets.KeyStates;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>
/// <see cref="KeyBudgetState"/> over time, without an actor system: the RPM and TPM windows, settlements releasing what
/// their requests reserved, the router's estimated spend kept apart, and budget periods starting again.
/// </summary>
public sealed class KeyBudgetStateLimitsTests
{
    private static KeyPolicy Hourly(decimal budget) => Policy(maxBudget: budget) with { BudgetDuration = TimeSpan.FromHours(1), CreatedAt = T0 };

    [Fact]
    public void The_request_beyond_the_rpm_limit_is_refused_until_the_oldest_leaves_the_minute()
    {
        var key = KeyWith(Policy() with { RpmLimit = 2 }).Granted(Admit("r1"), T0).Granted(Admit("r2"), T0.AddSeconds(10));

        var refused = key.Decide(Admit("r3"), T0.AddSeconds(20)).Refused;

        Assert.Equal((RefusalReason.RateLimited, TimeSpan.FromSeconds(40)), (refused?.Reason, refused?.RetryAfter));
        Assert.Equal("This key is limited to 2 requests per minute and has made 2 in the last minute.", refused?.Message);
        Assert.False(key.Decide(Admit("r3"), T0.AddSeconds(60).AddTicks(-1)).IsGranted);
        Assert.True(key.Decide(Admit("r3"), T0.AddSeconds(60)).IsGranted);
    }

    [Fact]
    public void Deciding_leaves_the_rate_window_to_the_admission_so_it_grows_in_place()
    {
        // A decision that added to the window itself made the actor's own admission, applied to the state decided on,
        // copy the whole minute of requests each time (bench/README.md, issue 24: 6,000 → 1,100 req/s as the minute filled).
        var key = KeyWith(Policy() with { RpmLimit = 1_000 });
        for (var i = 0; i < 100; i++)
        {
            var admitted = key.Decide(Admit($"r{i}"), T0.AddMilliseconds(i)).Admitted;
            Assert.True(key.Rates.IsNewest, $"request {i}");
            key = key.Apply(admitted!).Settled($"r{i}", 0, T0.AddMilliseconds(i), prompt: 1);
        }
        Assert.Equal((100, 100L), (key.Rates.Requests, key.Rates.Tokens));
    }

    [Fact]
    public void Requests_merged_in_the_window_leave_it_with_the_latest_of_them_so_a_limit_is_never_passed()
    {
        var key = KeyWith(Policy() with { RpmLimit = 2 }).Granted(Admit("r1"), T0).Granted(Admit("r2"), T0.AddMilliseconds(50));

        var refused = key.Decide(Admit("r3"), T0.AddSeconds(60)).Refused;

        Assert.Equal(TimeSpan.FromMilliseconds(50), refused?.RetryAfter);
        Assert.True(key.Decide(Admit("r3"), T0.AddSeconds(60).AddMilliseconds(50)).IsGranted);
        Assert.Equal(1, key.Rates.Entries);
    }

    [Fact]
    public void Settling_gives_back_no_rpm_slot_and_a_refusal_takes_none()
    {
        var key = KeyWith(Policy() with { RpmLimit = 1 }).Granted(Admit("r1"), T0).Settled("r1", 0, T0.AddSeconds(1));
        (key, _) = key.Admitted(Admit("r2"), T0.AddSeconds(2));
        (key, _) = key.Admitted(Admit("r3"), T0.AddSeconds(3));

        Assert.False(key.Decide(Admit("r4"), T0.AddSeconds(59)).IsGranted);
        Assert.True(key.Decide(Admit("r4"), T0.AddSeconds(60)).IsGranted);
    }

    [Fact]
    public void Tpm_counts_reservations_and_settled_tokens_up_to_the_limit_itself()
    {
        var key = KeyWith(Policy() with { TpmLimit = 100 }).Granted(Admit("r1", tokens: 60), T0).Granted(Admit("r2", tokens: 40), T0);

        // Reservations alone fill the minute: a whole minute is the honest wait.
        var refused = key.Decide(Admit("r3", tokens: 1), T0).Refused;
        Assert.Equal((RefusalReason.RateLimited, RateWindow.Length), (refused?.Reason, refused?.RetryAfter));
        Assert.Equal("This key is limited to 100 tokens per minute: 0 used and 100 reserved in the last minute, and this request may take 1.", refused?.Message);

        // r1 used 30 of its 60: 30 used and 40 reserved leave 30.
        key = key.Settled("r1", 0, T0.AddSeconds(5), prompt: 20, completion: 10);
        key = key.Granted(Admit("r4", tokens: 30), T0.AddSeconds(6));
        var late = key.Decide(Admit("r5", tokens: 1), T0.AddSeconds(10)).Refused;
        Assert.Equal(TimeSpan.FromSeconds(55), late?.RetryAfter);
    }

    [Fact]
    public void Settled_tokens_leave_the_tpm_window_after_a_minute()
    {
        var key = KeyWith(Policy() with { TpmLimit = 100 }).Granted(Admit("r1", tokens: 100), T0).Settled("r1", 0, T0, prompt: 70, completion: 30);

        Assert.False(key.Decide(Admit("r2", tokens: 1), T0.AddSeconds(59)).IsGranted);
        Assert.True(key.Decide(Admit("r2", tokens: 100), T0.AddSeconds(60)).IsGranted);
        Assert.Equal((0, 0L), (key.At(T0.AddSeconds(60)).ToReply(KeyId).RequestsLastMinute, key.At(T0.AddSeconds(60)).ToReply(KeyId).TokensLastMinute));
    }

    [Fact]
    public void A_settlement_releases_its_reservation_and_counts_its_real_cost()
    {
        var key = KeyWith(Policy(maxBudget: 1m)).Granted(Admit("r1", cost: 0.5m), T0).Settled("r1", 0.2m, T0, prompt: 10, completion: 5);

        Assert.Equal((0m, 0, 0.2m, 0.2m), (key.Reservations.Reserved, key.Reservations.InFlight, key.Period.Spend, key.Settled.Cost));
        Assert.Equal((1L, 10L, 5L), (key.Settled.Requests, key.Settled.PromptTokens, key.Settled.CompletionTokens));
        Assert.True(key.Decide(Admit("r2", cost: 0.8m), T0).IsGranted);
        Assert.False(key.Decide(Admit("r2", cost: 0.81m), T0).IsGranted);
    }

    [Fact]
    public void A_request_ended_twice_or_one_never_admitted_frees_nothing_another_holds()
    {
        var key = KeyWith(Policy(maxBudget: 1m)).Granted(Admit("r1", cost: 0.3m, tokens: 30), T0).Granted(Admit("r2", cost: 0.4m, tokens: 40), T0);

        key = key.Apply(new RequestEnded("unknown"));
        Assert.Equal((0.7m, 70L, 2), (key.Reservations.Reserved, key.Reservations.ReservedTokens, key.Reservations.InFlight));
        key = key.Apply(new RequestEnded("r1")).Apply(new RequestEnded("r1"));
        Assert.Equal((0.4m, 40L, 1), (key.Reservations.Reserved, key.Reservations.ReservedTokens, key.Reservations.InFlight));
    }

    [Fact]
    public void The_routers_estimated_spend_is_kept_apart_and_still_counts_against_the_budget()
    {
        var key = KeyWith(Policy(maxBudget: 1m))
            .Granted(Admit("r1", cost: 0.3m), T0).Settled("r1", 0.2m, T0, estimated: true)
            .Granted(Admit("r2", cost: 0.3m), T0).Settled("r2", 0.3m, T0);

        var state = key.ToReply(KeyId);

        Assert.Equal((0.5m, 0.2m, 0.5m), (state.Spend, state.EstimatedSpend, state.PeriodSpend));
        Assert.Equal(0.5m, state.Remaining);
    }

    [Fact]
    public void The_budget_period_starts_again_after_its_duration_and_the_total_spend_is_kept()
    {
        var key = KeyWith(Hourly(0.5m)).Granted(Admit("r1", cost: 0.4m), T0.AddMinutes(5)).Settled("r1", 0.4m, T0.AddMinutes(10));

        var refused = key.Decide(Admit("r2", cost: 0.2m), T0.AddMinutes(20)).Refused;
        Assert.Equal(RefusalReason.BudgetExceeded, refused?.Reason);
        Assert.EndsWith("; the budget starts again at 2026-01-01 13:00:00Z.", refused?.Message);
        Assert.False(key.Decide(Admit("r2", cost: 0.2m), T0.AddHours(1).AddTicks(-1)).IsGranted);

        key = key.Granted(Admit("r2", cost: 0.2m), T0.AddHours(1));
        Assert.Equal((T0.AddHours(1), 0m, 0.4m), (key.Period.Start, key.Period.Spend, key.Settled.Cost));
    }

    [Fact]
    public void A_period_that_ended_long_ago_rolls_to_the_period_holding_now()
    {
        var state = KeyWith(Hourly(0.5m)).Granted(Admit("r1", cost: 0.1m), T0).Settled("r1", 0.1m, T0).At(T0.AddHours(5.5)).ToReply(KeyId);

        Assert.Equal((0m, T0.AddHours(6)), (state.PeriodSpend, state.PeriodResetsAt));
    }

    [Fact]
    public void Usage_counts_in_the_period_it_is_settled_in_and_reservations_carry_over()
    {
        var key = KeyWith(Hourly(0.5m)).Granted(Admit("r1", cost: 0.3m), T0.AddMinutes(50)).Granted(Admit("r2", cost: 0.1m), T0.AddMinutes(55));

        key = key.Settled("r1", 0.3m, T0.AddMinutes(70));

        Assert.Equal((T0.AddHours(1), 0.3m), (key.Period.Start, key.Period.Spend));
        // r2, admitted in the last period, still holds $0.1 of this one.
        Assert.False(key.Decide(Admit("r3", cost: 0.11m), T0.AddMinutes(71)).IsGranted);
        Assert.True(key.Decide(Admit("r3", cost: 0.1m), T0.AddMinutes(71)).IsGranted);
    }

    [Fact]
    public void A_new_budget_duration_counts_its_periods_afresh_from_the_keys_creation_and_keeps_the_spend()
    {
        var key = KeyWith(Hourly(1m)).Granted(Admit("r1", cost: 0.3m), T0.AddMinutes(90)).Settled("r1", 0.3m, T0.AddMinutes(90));
        Assert.Equal(T0.AddHours(1), key.Period.Start);

        var sameDuration = key.Apply(new KeyBudget.KeyPolicySet(Hourly(2m)));
        var longer = key.Apply(new KeyBudget.KeyPolicySet(Hourly(1m) with { BudgetDuration = TimeSpan.FromHours(2) }));

        Assert.Equal(key.Period, sameDuration.Period);
        Assert.Equal((T0, 0.3m), (longer.At(T0.AddMinutes(91)).Period.Start, longer.At(T0.AddMinutes(91)).Period.Spend));
    }

    [Fact]
    public void A_key_without_a_creation_time_starts_its_first_period_when_first_used()
    {
        var key = KeyWith(Hourly(1m) with { CreatedAt = default }).Granted(Admit("r1"), T0.AddMinutes(5));

        Assert.Equal(T0.AddMinutes(5), key.Period.Start);
        Assert.Equal(T0.AddMinutes(65), key.PeriodStartAt(T0.AddMinutes(65)));
    }

    [Fact]
    public void Usage_found_in_the_journal_adds_to_the_totals_but_not_to_the_period()
    {
        var key = KeyWith(Hourly(1m)).Apply(new JournalHeldMore(new KeyBudget.UsageRecorded(2, 20, 10, 0.4m, EstimatedCost: 0.1m)));

        Assert.Equal((2L, 0.4m, 0.1m, 0m), (key.Settled.Requests, key.Settled.Cost, key.Settled.EstimatedCost, key.Period.Spend));
    }

    [Fact]
    public void Usage_to_count_needs_its_time()
    {
        Assert.Throws<ArgumentException>(() => KeyWith(Policy()).Apply(new KeyBudget.UsageRecorded(1, 1, 1, 0.1m)));
    }
}
