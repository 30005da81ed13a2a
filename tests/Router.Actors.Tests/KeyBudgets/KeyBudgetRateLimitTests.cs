using Akka.Actor;
using Router.Actors.KeyBudgets;
using Router.Tests.Shared;
using Router.Contracts.Messages;
using Router.Contracts.Wire;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>Requests and tokens per minute, over a sliding minute of the key's own clock.</summary>
public sealed class KeyBudgetRateLimitTests(ITestOutputHelper output) : KeyBudgetTestKit(output)
{
    private const string KeyId = "key-frank";
    private const string Deployment = "ollama:ollama/*";
    private const string Model = "ollama/llama3";
    private readonly ManualClock _clock = new();

    private IActorRef Provisioned(KeyPolicy policy)
    {
        var budget = Sys.ActorOf(KeyBudgetActor.Props(KeyId, _clock));
        Provision(budget, KeyId, policy);
        return budget;
    }

    private void ExpectPermit(IActorRef budget, string requestId, int estimatedTokens = 0)
    {
        budget.Tell(AdmitOf(KeyId, requestId, Model, Deployment, estimatedTokens: estimatedTokens));
        ExpectMsg(new ProviderBreaker.Permit(Deployment), cancellationToken: Ct);
    }

    private KeyBudget.Refused ExpectRateLimited(IActorRef budget, string requestId, int estimatedTokens = 0)
    {
        budget.Tell(AdmitOf(KeyId, requestId, Model, Deployment, estimatedTokens: estimatedTokens));
        var refused = ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct);
        Assert.Equal(RefusalReason.RateLimited, refused.Reason);
        return refused;
    }

    [Fact]
    public void The_request_beyond_the_rpm_limit_is_rate_limited_until_the_minute_has_passed()
    {
        var budget = Provisioned(PolicyFor() with { RpmLimit = 3 });
        for (var i = 0; i < 3; i++) ExpectPermit(budget, $"r{i}");

        var refused = ExpectRateLimited(budget, "r3");

        Assert.NotNull(refused.RetryAfter);
        Assert.InRange(refused.RetryAfter.Value, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(60));
        Assert.Contains("3 requests per minute", refused.Message, StringComparison.Ordinal);
        _clock.Advance(TimeSpan.FromSeconds(61));
        ExpectPermit(budget, "r3");
    }

    [Fact]
    public void The_rpm_window_slides_and_retry_after_names_when_the_oldest_request_leaves_it()
    {
        var budget = Provisioned(PolicyFor() with { RpmLimit = 3 });
        ExpectPermit(budget, "r0");                     // t = 0
        _clock.Advance(TimeSpan.FromSeconds(30));
        ExpectPermit(budget, "r1");                     // t = 30
        ExpectPermit(budget, "r2");

        Assert.Equal(TimeSpan.FromSeconds(30), ExpectRateLimited(budget, "r3").RetryAfter);

        _clock.Advance(TimeSpan.FromSeconds(31));       // t = 61: r0 has left the window, r1 and r2 have not
        ExpectPermit(budget, "r3");
        Assert.Equal(TimeSpan.FromSeconds(29), ExpectRateLimited(budget, "r4").RetryAfter);
        Assert.Equal(3, StateOf(budget, KeyId).RequestsLastMinute);
    }

    [Fact]
    public void Settling_does_not_give_back_an_rpm_slot_and_refusals_do_not_take_one()
    {
        var budget = Provisioned(PolicyFor() with { RpmLimit = 2 });
        ExpectPermit(budget, "r0");
        budget.Tell(new KeyBudget.Settle(KeyId, "r0", Model, new TokenUsage(1, 1, 0)));
        ExpectPermit(budget, "r1");
        for (var i = 0; i < 5; i++) ExpectRateLimited(budget, $"refused{i}");

        var state = StateOf(budget, KeyId);

        Assert.Equal((2, 1), (state.RequestsLastMinute, state.InFlight));
        _clock.Advance(TimeSpan.FromSeconds(60));
        ExpectPermit(budget, "r2");
    }

    [Fact]
    public void A_key_without_an_rpm_limit_is_never_rate_limited_by_requests()
    {
        var budget = Provisioned(PolicyFor());

        for (var i = 0; i < 100; i++) ExpectPermit(budget, $"r{i}");

        Assert.Equal(100, StateOf(budget, KeyId).RequestsLastMinute);
    }

    [Fact]
    public void Tpm_counts_settled_tokens_and_reservations_and_refuses_an_estimate_that_would_exceed_it()
    {
        var budget = Provisioned(PolicyFor() with { TpmLimit = 100 });
        ExpectPermit(budget, "r1", estimatedTokens: 40);
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, new TokenUsage(50, 20, 0)));   // 70 used, reservation gone

        var tooMuch = ExpectRateLimited(budget, "r2", estimatedTokens: 31);                   // 70 + 31 > 100
        Assert.Contains("100 tokens per minute", tooMuch.Message, StringComparison.Ordinal);
        Assert.NotNull(tooMuch.RetryAfter);
        Assert.InRange(tooMuch.RetryAfter.Value, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(60));
        ExpectPermit(budget, "r2", estimatedTokens: 30);                                     // 70 + 30 = 100: fits exactly
        ExpectRateLimited(budget, "r3", estimatedTokens: 1);                                  // 70 used + 30 reserved + 1

        var state = StateOf(budget, KeyId);
        Assert.Equal(70L, state.TokensLastMinute);
    }

    [Fact]
    public void Tpm_reservations_alone_refuse_and_their_settlement_frees_them()
    {
        var budget = Provisioned(PolicyFor() with { TpmLimit = 100 });
        ExpectPermit(budget, "r1", estimatedTokens: 60);
        ExpectRateLimited(budget, "r2", estimatedTokens: 41);                                 // 60 reserved + 41

        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, TokenUsage.None));               // failed: used nothing

        ExpectPermit(budget, "r2", estimatedTokens: 100);
    }

    [Fact]
    public void Tpm_frees_settled_tokens_once_they_leave_the_minute()
    {
        var budget = Provisioned(PolicyFor() with { TpmLimit = 100 });
        ExpectPermit(budget, "r1", estimatedTokens: 90);
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, new TokenUsage(80, 10, 0)));
        ExpectRateLimited(budget, "r2", estimatedTokens: 20);

        _clock.Advance(TimeSpan.FromSeconds(61));

        ExpectPermit(budget, "r2", estimatedTokens: 100);
        var state = StateOf(budget, KeyId);
        Assert.Equal(0L, state.TokensLastMinute);
        Assert.Equal(90L, state.PromptTokens + state.CompletionTokens);   // the totals keep them
    }

    [Fact]
    public void A_request_reserved_in_one_minute_and_settled_in_the_next_counts_in_the_minute_it_settled()
    {
        var budget = Provisioned(PolicyFor() with { TpmLimit = 100 });
        ExpectPermit(budget, "r1", estimatedTokens: 50);
        _clock.Advance(TimeSpan.FromSeconds(50));
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", Model, new TokenUsage(30, 30, 0)));
        Assert.Equal(60L, StateOf(budget, KeyId).TokensLastMinute);   // settled before the clock moves

        _clock.Advance(TimeSpan.FromSeconds(20));              // 70 s after admission, 20 s after settlement

        ExpectRateLimited(budget, "r2", estimatedTokens: 41);
        ExpectPermit(budget, "r2", estimatedTokens: 40);
    }
}
