using System.Collections.Immutable;

namespace Router.Actors.KeyBudgets;

/// <summary>What an admitted request holds until it is settled, and the completion limit it was lowered to (null: not lowered).</summary>
internal readonly record struct Reservation(decimal Cost, int Tokens, int? CappedMaxTokens);

/// <summary>
/// A key's requests admitted and not yet settled, and what each holds (an empty reservation for one that holds nothing),
/// keyed by request: a settlement sent twice ends its request once, and frees nothing another holds. Immutable: each
/// change is a new value.
/// </summary>
internal sealed record Reservations(ImmutableDictionary<string, Reservation> Held, decimal Reserved, long ReservedTokens)
{
    public static readonly Reservations None = new(ImmutableDictionary.Create<string, Reservation>(StringComparer.Ordinal), 0, 0);

    /// <summary>Requests admitted and not yet settled.</summary>
    public int InFlight => Held.Count;

    /// <summary>Admitted already (in a pair the asker repeats an ask whose answer is late): admitted once, answered again.</summary>
    public bool IsAdmitted(string requestId) => Held.ContainsKey(requestId);

    /// <summary>What the request holds; an empty reservation when it holds nothing.</summary>
    public Reservation Of(string requestId) => Held.GetValueOrDefault(requestId);

    public Reservations Admitted(string requestId, Reservation reservation) =>
        new(Held.SetItem(requestId, reservation), Reserved + reservation.Cost, ReservedTokens + reservation.Tokens);

    public Reservations Ended(string requestId) =>
        Held.TryGetValue(requestId, out var held) ? new Reservations(Held.Remove(requestId), Reserved - held.Cost, ReservedTokens - held.Tokens) : this;
}
