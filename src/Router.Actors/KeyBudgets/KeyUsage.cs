using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>Sums of settled usage, as the journal and the replica each hold them.</summary>
internal static class KeyUsage
{
    public static readonly KeyBudget.UsageRecorded None = new(0, 0, 0);

    public static KeyBudget.UsageRecorded Of(KeyBudget.Totals totals) =>
        new(totals.Requests, totals.PromptTokens, totals.CompletionTokens, totals.Spend, EstimatedCost: totals.EstimatedSpend);

    public static KeyBudget.UsageRecorded Of(KeyBudget.ReplicaUsage run) =>
        new(run.Requests, run.PromptTokens, run.CompletionTokens, run.Cost, EstimatedCost: run.EstimatedCost);

    public static KeyBudget.UsageRecorded Add(KeyBudget.UsageRecorded a, KeyBudget.UsageRecorded b) =>
        new(a.Requests + b.Requests, a.PromptTokens + b.PromptTokens, a.CompletionTokens + b.CompletionTokens, a.Cost + b.Cost,
            EstimatedCost: a.EstimatedCost + b.EstimatedCost);

    /// <summary>What <paramref name="more"/> has beyond <paramref name="less"/>, dimension by dimension (never negative).</summary>
    public static KeyBudget.UsageRecorded Beyond(KeyBudget.UsageRecorded more, KeyBudget.UsageRecorded less) =>
        new(Math.Max(0, more.Requests - less.Requests), Math.Max(0, more.PromptTokens - less.PromptTokens),
            Math.Max(0, more.CompletionTokens - less.CompletionTokens), Math.Max(0, more.Cost - less.Cost),
            EstimatedCost: Math.Max(0, more.EstimatedCost - less.EstimatedCost));

    /// <summary>The larger of the two in each dimension.</summary>
    public static KeyBudget.UsageRecorded Max(KeyBudget.UsageRecorded a, KeyBudget.UsageRecorded b) => Add(a, Beyond(b, a));

    public static bool IsNone(KeyBudget.UsageRecorded usage) =>
        usage.Requests == 0 && usage.PromptTokens == 0 && usage.CompletionTokens == 0 && usage.Cost == 0;
}
