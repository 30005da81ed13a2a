using Router.Host.Auth;

namespace Router.Host.Alerts;

/// <summary>
/// The budget part of an alert sample: the share spent of each key charged or changed on this node since the last
/// sample (<see cref="ChargedKeys"/>), as its actor counts it. An idle key is not asked: its share cannot have
/// risen, and asking would wake (in a pair, recover from the journal) every key's actor every few seconds.
/// </summary>
public sealed class BudgetSampler(ChargedKeys charged, KeyStates states)
{
    /// <summary>How much of a key's id names it in an alert: enough to find it, without its secret (the id is not the secret anyway).</summary>
    private const int KeyIdShown = 12;

    private static readonly TimeSpan KeyAskTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Each charged key with a budget; a key whose actor does not answer in time is asked again next sample.</summary>
    public async Task<IReadOnlyList<BudgetSample>> SampleAsync(CancellationToken ct)
    {
        List<BudgetSample> budgets = [];
        List<string> unanswered = [];
        foreach (var keyId in charged.Take())
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(KeyAskTimeout);
            try
            {
                var state = await states.GetAsync(keyId, bounded.Token);
                if (state is { IsProvisioned: true, Policy.MaxBudget: { } max })
                    budgets.Add(new BudgetSample(keyId[..Math.Min(KeyIdShown, keyId.Length)], state.Policy.Alias, state.PeriodSpend, max));
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Unanswered this time (a key moving between nodes, a busy actor).
                unanswered.Add(keyId);
            }
        }
        charged.Restore(unanswered);
        return budgets;
    }
}
