using Akka.Actor;
using Router.Actors.KeyBudgets;
using Router.Tests.Shared;
using Router.Contracts.Messages;
using Router.Contracts.Wire;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>What a key's policy admits: its secret, block, expiry, deletion and models.</summary>
public sealed class KeyBudgetPolicyTests(ITestOutputHelper output) : KeyBudgetTestKit(output)
{
    private const string KeyId = "key-erin";
    private const string Deployment = "ollama:ollama/*";
    private readonly ManualClock _clock = new();

    private IActorRef NewBudget() => Sys.ActorOf(KeyBudgetActor.Props(KeyId, _clock));

    private RefusalReason RefusalOf(IActorRef budget, KeyBudget.Admit admit)
    {
        budget.Tell(admit);
        var refused = ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct);
        Assert.Equal(KeyId, refused.KeyId);
        return refused.Reason;
    }

    private void ExpectPermit(IActorRef budget, KeyBudget.Admit admit)
    {
        budget.Tell(admit);
        ExpectMsg(new ProviderBreaker.Permit(admit.DeploymentId), cancellationToken: Ct);
    }

    [Fact]
    public void The_right_secret_hash_is_forwarded_to_the_breaker_and_permitted()
    {
        var budget = NewBudget();
        Provision(budget, KeyId, "ollama/*");

        ExpectPermit(budget, AdmitOf(KeyId, "r1", "ollama/llama3", Deployment));
    }

    [Theory]
    [InlineData("sk-router-test-0123456788")]   // another key
    [InlineData("")]                            // no key
    public void A_wrong_secret_is_refused_as_an_unknown_key(string presented)
    {
        var budget = NewBudget();
        Provision(budget, KeyId, "ollama/*");

        var admit = new KeyBudget.Admit(KeyId, "r1", "ollama/llama3", Deployment, HashOf(presented));

        Assert.Equal(RefusalReason.UnknownKey, RefusalOf(budget, admit));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    public void A_hash_of_another_length_or_none_is_refused_as_an_unknown_key(string presentedHash)
    {
        var budget = NewBudget();
        Provision(budget, KeyId, "ollama/*");

        Assert.Equal(RefusalReason.UnknownKey, RefusalOf(budget, new KeyBudget.Admit(KeyId, "r1", "ollama/llama3", Deployment, presentedHash)));
    }

    [Fact]
    public void The_hash_is_compared_exactly_not_ignoring_case()
    {
        var budget = NewBudget();
        Provision(budget, KeyId, "ollama/*");

        var upper = new KeyBudget.Admit(KeyId, "r1", "ollama/llama3", Deployment, SecretHash.ToUpperInvariant());

        Assert.Equal(RefusalReason.UnknownKey, RefusalOf(budget, upper));
    }

    [Fact]
    public void A_wrong_secret_is_refused_as_unknown_even_for_a_blocked_key()
    {
        var budget = NewBudget();
        Provision(budget, KeyId, PolicyFor("ollama/*") with { Blocked = true });

        var admit = new KeyBudget.Admit(KeyId, "r1", "ollama/llama3", Deployment, HashOf("guess"));

        Assert.Equal(RefusalReason.UnknownKey, RefusalOf(budget, admit));
    }

    [Fact]
    public void A_blocked_key_is_refused_as_blocked_and_unblocking_admits_it()
    {
        var budget = NewBudget();
        Provision(budget, KeyId, PolicyFor("ollama/*") with { Blocked = true });

        Assert.Equal(RefusalReason.Blocked, RefusalOf(budget, AdmitOf(KeyId, "r1", "ollama/llama3", Deployment)));
        Assert.Equal(0, StateOf(budget, KeyId).InFlight);

        Provision(budget, KeyId, PolicyFor("ollama/*"));
        ExpectPermit(budget, AdmitOf(KeyId, "r2", "ollama/llama3", Deployment));
    }

    [Fact]
    public void A_key_is_admitted_until_it_expires_and_refused_as_expired_from_then_on()
    {
        var budget = NewBudget();
        var expires = _clock.GetUtcNow().AddHours(1);
        Provision(budget, KeyId, PolicyFor("ollama/*") with { Expires = expires });

        _clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        ExpectPermit(budget, AdmitOf(KeyId, "r1", "ollama/llama3", Deployment));

        _clock.Advance(TimeSpan.FromSeconds(1));
        budget.Tell(AdmitOf(KeyId, "r2", "ollama/llama3", Deployment));
        var refused = ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct);

        Assert.Equal(RefusalReason.Expired, refused.Reason);
        Assert.Contains(expires.ToString("u", System.Globalization.CultureInfo.InvariantCulture), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_key_is_unknown_and_its_spend_stays_readable()
    {
        var budget = NewBudget();
        Provision(budget, KeyId, "ollama/*");
        ExpectPermit(budget, AdmitOf(KeyId, "r1", "ollama/llama3", Deployment, estimatedCost: 0.30m));
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", "ollama/llama3", new TokenUsage(100, 20, 0), 0.25m));

        budget.Tell(new KeyBudget.Delete(KeyId));
        ExpectMsg(new KeyBudget.Deleted(KeyId), cancellationToken: Ct);

        Assert.Equal(RefusalReason.UnknownKey, RefusalOf(budget, AdmitOf(KeyId, "r2", "ollama/llama3", Deployment)));
        var state = StateOf(budget, KeyId);
        Assert.True(state.IsDeleted);
        Assert.False(state.IsProvisioned);
        Assert.Equal((1L, 100L, 20L, 0.25m), (state.Requests, state.PromptTokens, state.CompletionTokens, state.Spend));
    }

    [Fact]
    public void A_deleted_key_stays_deleted_after_recovery()
    {
        var budget = NewBudget();
        Provision(budget, KeyId, "ollama/*");
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", "ollama/llama3", new TokenUsage(10, 5, 0), 0.05m));
        budget.Tell(new KeyBudget.Delete(KeyId));
        ExpectMsg(new KeyBudget.Deleted(KeyId), cancellationToken: Ct);
        Flush(budget, KeyId);
        StopAndAwait(budget);

        var again = NewBudget();

        Assert.Equal(RefusalReason.UnknownKey, RefusalOf(again, AdmitOf(KeyId, "r2", "ollama/llama3", Deployment)));
        var state = StateOf(again, KeyId);
        Assert.True(state.IsDeleted);
        Assert.Equal(0.05m, state.Spend);
    }

    [Fact]
    public void Provisioning_a_deleted_key_again_admits_it_and_keeps_its_spend()
    {
        var budget = NewBudget();
        Provision(budget, KeyId, "ollama/*");
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", "ollama/llama3", new TokenUsage(10, 5, 0), 0.05m));
        budget.Tell(new KeyBudget.Delete(KeyId));
        ExpectMsg(new KeyBudget.Deleted(KeyId), cancellationToken: Ct);

        Provision(budget, KeyId, "ollama/*");

        ExpectPermit(budget, AdmitOf(KeyId, "r2", "ollama/llama3", Deployment));
        var state = StateOf(budget, KeyId);
        Assert.False(state.IsDeleted);
        Assert.True(state.IsProvisioned);
        Assert.Equal((1L, 0.05m), (state.Requests, state.Spend));
    }

    [Fact]
    public void A_key_provisioned_again_after_deletion_is_still_provisioned_after_recovery()
    {
        var budget = NewBudget();
        Provision(budget, KeyId, "ollama/*");
        budget.Tell(new KeyBudget.Delete(KeyId));
        ExpectMsg(new KeyBudget.Deleted(KeyId), cancellationToken: Ct);
        Provision(budget, KeyId, "ollama/*");
        StopAndAwait(budget);

        var again = NewBudget();

        ExpectPermit(again, AdmitOf(KeyId, "r1", "ollama/llama3", Deployment));
        Assert.False(StateOf(again, KeyId).IsDeleted);
    }

    [Fact]
    public void Provisioning_again_keeps_the_spend_and_replaces_the_policy()
    {
        var budget = NewBudget();
        Provision(budget, KeyId, PolicyFor("ollama/*") with { MaxBudget = 1m });
        budget.Tell(new KeyBudget.Settle(KeyId, "r1", "ollama/llama3", new TokenUsage(10, 5, 0), 0.40m));

        Provision(budget, KeyId, PolicyFor("ollama/*") with { MaxBudget = 0.50m, Alias = "renamed" });

        var state = StateOf(budget, KeyId);
        Assert.Equal((0.40m, 0.40m), (state.Spend, state.PeriodSpend));
        Assert.Equal(("renamed", 0.50m), (state.Policy?.Alias, state.Policy?.MaxBudget));
        Assert.Equal(0.10m, state.Remaining);
        budget.Tell(AdmitOf(KeyId, "r2", "ollama/llama3", Deployment, estimatedCost: 0.11m));
        Assert.Equal(RefusalReason.BudgetExceeded, ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct).Reason);
    }

    [Theory]
    [InlineData("gpt-4o", "openai:gpt-*")]
    [InlineData("ollama/llama3", Deployment)]
    [InlineData("anthropic/claude-sonnet-4", "anthropic:anthropic/*")]
    public void An_empty_model_list_allows_every_model(string model, string deployment)
    {
        var budget = NewBudget();
        Provision(budget, KeyId);

        ExpectPermit(budget, AdmitOf(KeyId, "r1", model, deployment));
    }

    [Theory]
    [InlineData("ollama/llama3", true)]
    [InlineData("ollama/qwen2.5:7b", true)]
    [InlineData("gpt-4o-mini", true)]
    [InlineData("gpt-4o", true)]
    [InlineData("ollama", false)]
    [InlineData("openrouter/ollama/llama3", false)]
    [InlineData("gpt-4", false)]
    [InlineData("gpt-4o-2024", false)]
    public void Globs_and_exact_names_decide_the_allowed_models(string model, bool allowed)
    {
        var budget = NewBudget();
        Provision(budget, KeyId, "ollama/*", "gpt-4o-mini", "gpt-4o");

        var admit = AdmitOf(KeyId, "r1", model, "any:deployment");
        if (allowed)
        {
            ExpectPermit(budget, admit);
        }
        else
        {
            budget.Tell(admit);
            var refused = ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct);
            Assert.Equal(RefusalReason.ModelNotAllowed, refused.Reason);
            Assert.Contains($"'{model}'", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_state_shows_the_whole_policy()
    {
        var budget = NewBudget();
        var policy = PolicyFor("ollama/*") with
        {
            Alias = "ci", MaxBudget = 12.5m, BudgetDuration = TimeSpan.FromDays(30), RpmLimit = 60, TpmLimit = 10_000,
            Expires = _clock.GetUtcNow().AddDays(90), MetadataJson = """{"team":"infra"}""", CreatedAt = _clock.GetUtcNow(),
        };

        Provision(budget, KeyId, policy);

        Assert.Equal(policy, StateOf(budget, KeyId).Policy);
    }
}
