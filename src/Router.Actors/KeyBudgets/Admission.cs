using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// What <see cref="KeyBudgetState.Decide"/> decided for one <see cref="KeyBudget.Admit"/>: refused, or granted (its completion
/// limit perhaps lowered to what the budget covers), with the event that records it (none when it was admitted before).
/// </summary>
/// <param name="Remaining">Besides the request's own reservation: what the caller is told is left once its cost is known (null without a budget).</param>
/// <param name="CappedMaxTokens">The completion limit the request was lowered to; null when it goes as it was sent.</param>
/// <remarks>A struct: one is made for every admission and read once, never kept.</remarks>
internal readonly record struct Admission(KeyBudget.Refused? Refused, RequestAdmitted? Admitted, decimal? Remaining, int? CappedMaxTokens)
{
    public bool IsGranted => Refused is null;

    public static Admission Refuse(KeyBudget.Refused refused) => new(refused, null, null, null);
}
