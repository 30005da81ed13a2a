using System.Collections.Concurrent;

namespace Router.Actors.Routing;

/// <summary>
/// The retry budget of each model, made with the retry settings in force: after a reload that changes them a model
/// gets a new budget under the new rules; a reload that leaves them alone keeps the budget and what it has saved.
/// </summary>
public sealed class RetryBudgets(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, RetryBudget> _byModel = new(StringComparer.Ordinal);

    /// <param name="model">The model (route) name, as configured: the number of budgets is bounded by the configuration.</param>
    public RetryBudget For(string model, double ratio, double minPerSecond)
    {
        if (_byModel.TryGetValue(model, out var known) && known.Ratio.Equals(ratio) && known.MinPerSecond.Equals(minPerSecond)) return known;
        // Two requests that arrive together after a reload may each make one: the last stays, and either is a fresh budget.
        var fresh = new RetryBudget(ratio, minPerSecond, clock);
        _byModel[model] = fresh;
        return fresh;
    }
}
