using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>Keys and requests for the tests of <see cref="KeyBudgetState"/>, which need no actor system.</summary>
internal static class KeyStates
{
    public const string KeyId = "key-state";
    public const string Hash = "ab12cd34";
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static KeyPolicy Policy(decimal? maxBudget = null) => new(Hash, "sk-test", [], MaxBudget: maxBudget);

    public static KeyBudgetState KeyWith(KeyPolicy policy) => KeyBudgetState.Empty.Apply(new KeyBudget.KeyPolicySet(policy));

    public static KeyBudget.Admit Admit(
        string requestId, decimal cost = 0, int tokens = 0, KeyBudget.CompletionLimit? completion = null, string model = "gpt-4o", bool unpriced = false) =>
        new(KeyId, requestId, model, "", Hash, cost, tokens, completion, unpriced);

    /// <summary>Decides and, when granted, applies the decision's event, as the key's actor does.</summary>
    public static (KeyBudgetState State, Admission Admission) Admitted(this KeyBudgetState state, KeyBudget.Admit admit, DateTimeOffset at)
    {
        var admission = state.Decide(admit, at);
        return (admission.Admitted is { } admitted ? state.Apply(admitted) : state, admission);
    }

    /// <summary>Admits a request that must be granted.</summary>
    public static KeyBudgetState Granted(this KeyBudgetState state, KeyBudget.Admit admit, DateTimeOffset at)
    {
        var (after, admission) = state.Admitted(admit, at);
        Assert.True(admission.IsGranted, admission.Refused?.Message);
        return after;
    }

    /// <summary>Settles a request as the key's actor does: it ends, and what it used counts.</summary>
    public static KeyBudgetState Settled(this KeyBudgetState state, string requestId, decimal cost, DateTimeOffset at, int prompt = 0, int completion = 0, bool estimated = false) =>
        state.ApplySettled(requestId, prompt + completion, new KeyBudget.UsageRecorded(1, prompt, completion, cost, at, EstimatedCost: estimated ? cost : 0));
}
