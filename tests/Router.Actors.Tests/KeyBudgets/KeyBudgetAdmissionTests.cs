using Akka.Actor;
using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>Admission, run against the actor itself and through the local entity region.</summary>
public abstract class KeyBudgetAdmissionTests(ITestOutputHelper output) : KeyBudgetTestKit(output)
{
    protected const string KeyId = "key-alice";

    /// <summary>Where messages for <paramref name="keyId"/> are sent.</summary>
    protected abstract IActorRef BudgetOf(string keyId);

    [Fact]
    public void An_unprovisioned_key_is_refused_as_unknown()
    {
        BudgetOf(KeyId).Tell(AdmitOf(KeyId, "r1", "ollama/llama3", "ollama:ollama/*"));

        var refused = ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct);
        Assert.Equal(KeyId, refused.KeyId);
        Assert.Equal(RefusalReason.UnknownKey, refused.Reason);
    }

    [Fact]
    public void Provision_is_acknowledged_with_the_key_id()
    {
        BudgetOf(KeyId).Tell(new KeyBudget.Provision(KeyId, PolicyFor("ollama/*")));

        ExpectMsg(new KeyBudget.Provisioned(KeyId), cancellationToken: Ct);
    }

    [Fact]
    public void A_model_outside_the_allowed_list_is_refused()
    {
        Provision(BudgetOf(KeyId), KeyId, "ollama/*");

        BudgetOf(KeyId).Tell(AdmitOf(KeyId, "r1", "gpt-4o", "openai:gpt-*"));

        var refused = ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct);
        Assert.Equal(RefusalReason.ModelNotAllowed, refused.Reason);
        Assert.Contains("gpt-4o", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exact_allowed_name_does_not_allow_longer_names()
    {
        Provision(BudgetOf(KeyId), KeyId, "gpt-4o");

        BudgetOf(KeyId).Tell(AdmitOf(KeyId, "r1", "gpt-4o-mini", "openai:gpt-*"));

        Assert.Equal(RefusalReason.ModelNotAllowed, ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct).Reason);
    }

    [Fact]
    public void An_allowed_model_is_forwarded_to_this_nodes_breaker_which_permits_the_asker()
    {
        Provision(BudgetOf(KeyId), KeyId, "ollama/*");

        BudgetOf(KeyId).Tell(AdmitOf(KeyId, "r1", "ollama/llama3", "ollama:ollama/*"));

        ExpectMsg(new ProviderBreaker.Permit("ollama:ollama/*"), cancellationToken: Ct);
        Assert.Equal(Breakers.Path, LastSender.Path.Parent);
    }

    [Fact]
    public void An_allowed_model_whose_circuit_is_open_gets_the_breakers_refusal()
    {
        Provision(BudgetOf(KeyId), KeyId, "*");
        for (var i = 0; i < BreakerSettings.ConsecutiveFailuresToOpen; i++)
            Breakers.Tell(new ProviderBreaker.ReportOutcome("openai:gpt-*", CallResult.ProviderFailed, TimeSpan.Zero));

        BudgetOf(KeyId).Tell(AdmitOf(KeyId, "r1", "gpt-4o", "openai:gpt-*"));

        Assert.Equal("openai:gpt-*", ExpectMsg<ProviderBreaker.Refused>(cancellationToken: Ct).DeploymentId);
    }

    [Fact]
    public void The_permit_reaches_the_asker_not_the_sender_of_the_provision()
    {
        var provisioner = CreateTestProbe();
        var asker = CreateTestProbe();
        BudgetOf(KeyId).Tell(new KeyBudget.Provision(KeyId, PolicyFor("ollama/*")), provisioner.Ref);
        provisioner.ExpectMsg(new KeyBudget.Provisioned(KeyId), cancellationToken: Ct);

        BudgetOf(KeyId).Tell(AdmitOf(KeyId, "r1", "ollama/qwen2.5", "ollama:ollama/*"), asker.Ref);

        asker.ExpectMsg(new ProviderBreaker.Permit("ollama:ollama/*"), cancellationToken: Ct);
        provisioner.ExpectNoMsg(TimeSpan.FromMilliseconds(50), Ct);
    }

    [Fact]
    public void Provisioning_again_replaces_the_allowed_models()
    {
        Provision(BudgetOf(KeyId), KeyId, "ollama/*");
        Provision(BudgetOf(KeyId), KeyId, "gpt-*");

        BudgetOf(KeyId).Tell(AdmitOf(KeyId, "r1", "ollama/llama3", "ollama:ollama/*"));
        Assert.Equal(RefusalReason.ModelNotAllowed, ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct).Reason);
        BudgetOf(KeyId).Tell(AdmitOf(KeyId, "r2", "gpt-4o", "openai:gpt-*"));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
    }

    [Fact]
    public void Admitted_requests_are_in_flight_and_refused_ones_are_not()
    {
        Provision(BudgetOf(KeyId), KeyId, "ollama/*");
        BudgetOf(KeyId).Tell(AdmitOf(KeyId, "r1", "ollama/llama3", "ollama:ollama/*"));
        ExpectMsg<ProviderBreaker.Permit>(cancellationToken: Ct);
        BudgetOf(KeyId).Tell(AdmitOf(KeyId, "r2", "gpt-4o", "openai:gpt-*"));
        ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct);

        var state = StateOf(BudgetOf(KeyId), KeyId);

        Assert.Equal(1, state.InFlight);
        Assert.Equal(["ollama/*"], state.Policy?.AllowedModels);
    }
}

public sealed class KeyBudgetAdmissionDirectTests(ITestOutputHelper output) : KeyBudgetAdmissionTests(output)
{
    private readonly Dictionary<string, IActorRef> _actors = new();

    protected override IActorRef BudgetOf(string keyId) =>
        _actors.TryGetValue(keyId, out var actor) ? actor : _actors[keyId] = Sys.ActorOf(KeyBudgetActor.Props(keyId));
}

public sealed class KeyBudgetAdmissionViaRegionTests(ITestOutputHelper output) : KeyBudgetAdmissionTests(output)
{
    private IActorRef? _region;

    protected override IActorRef BudgetOf(string keyId) => _region ??= NewRegion();
}
