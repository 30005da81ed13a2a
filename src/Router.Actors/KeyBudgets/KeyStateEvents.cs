namespace Router.Actors.KeyBudgets;

// What changes a key's state (KeyBudgetState) without being written to its journal: the journal's own events
// (KeyBudget.KeyPolicySet, KeyDeleted, UsageRecorded) change it too. Requests in flight and the rate window live
// in memory only: a key that restarts starts them empty, as it did before these were events.

/// <summary>A request was admitted at <paramref name="At"/>, holding <paramref name="Reservation"/> until it is settled.</summary>
internal sealed record RequestAdmitted(string RequestId, Reservation Reservation, DateTimeOffset At);

/// <summary>A request was settled (or abandoned): it frees its slot and what it reserved.</summary>
internal sealed record RequestEnded(string RequestId);

/// <summary>The journal read back more usage than the key counted (written by its actor on the other side of a network cut).</summary>
internal sealed record JournalHeldMore(Router.Contracts.Messages.KeyBudget.UsageRecorded Usage);
