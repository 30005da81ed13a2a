namespace Router.Contracts.Messages;

/// <summary>The entries the <c>KeyBudgetActor</c> keeps in the pair's distributed data.</summary>
public static partial class KeyBudget
{
    // The key's replica in the pair's distributed data: its shape is a storage format (each node keeps it on disk), change it only compatibly.

    /// <summary>The key's policy as its actor last wrote it to the replica (after the journal had it).</summary>
    public sealed record ReplicaPolicy(KeyPolicy? Policy, bool Deleted);

    /// <summary>
    /// What one run of one node has counted for a key: only that run writes it, so the replicas of the two nodes
    /// merge without losing or doubling anything, whoever wrote last. The key's usage is the sum over the runs.
    /// </summary>
    /// <param name="PeriodStart">The budget period <paramref name="PeriodSpend"/> was counted in (null: the key has no budget duration).</param>
    /// <param name="RecentIds">The last requests this run counted, so a settlement sent again to another node counts once.</param>
    public sealed record ReplicaUsage(
        long Requests, long PromptTokens, long CompletionTokens, decimal Cost, DateTimeOffset? PeriodStart, decimal PeriodSpend,
        IReadOnlyList<string> RecentIds, decimal EstimatedCost = 0);
}
