using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Providers;

namespace Router.Host.Pricing;

/// <summary>
/// What a request costs in USD, for key budgets. A model's price comes from <c>router.prices</c> (by the
/// name the client asked for, then by the upstream name), else nothing for a local provider, else the
/// shipped table; the provider's own reported cost (OpenRouter's <c>usage.cost</c>) wins over any price.
/// Everything is <see cref="decimal"/>, so sums of many small costs stay exact.
/// </summary>
public sealed class CostCalculator(ModelCatalog catalog, IReadOnlyDictionary<string, ModelPrice> overrides)
{
    /// <summary>
    /// The price of a model on one provider: a <c>router.prices</c> entry for <paramref name="requestedModel"/>,
    /// then for <paramref name="upstreamModel"/>; then <see cref="ModelPrice.Free"/> when the provider is local;
    /// then the shipped table under the provider's prefix, then under the bare name. Null when nothing is known.
    /// </summary>
    public ModelPrice? PriceOf(ProviderSettings provider, string requestedModel, string upstreamModel)
    {
        if (overrides.TryGetValue(requestedModel, out var byRequested)) return byRequested;
        if (overrides.TryGetValue(upstreamModel, out var byUpstream)) return byUpstream;
        if (LocalProviders.IsLocal(provider)) return ModelPrice.Free;
        return catalog.Find(PrefixOf(provider), upstreamModel) is { } facts
               && (facts.InputCostPerToken is not null || facts.OutputCostPerToken is not null)
            ? new ModelPrice(facts.InputCostPerToken ?? 0, facts.OutputCostPerToken ?? 0, facts.CacheReadCostPerToken, facts.CacheWriteCostPerToken)
            : null;
    }

    /// <summary>
    /// What a finished call cost: the provider's reported cost when it gave one; else plain prompt tokens
    /// at the input price, those read from a prompt cache at the cache-read price and those written to one
    /// at the cache-write price (each the input price when there is none), and completion tokens at the
    /// output price. Zero when the price is unknown.
    /// </summary>
    public static decimal Cost(ModelPrice? price, TokenUsage usage)
    {
        if (usage.ReportedCost is { } reported) return reported;
        if (price is null) return 0;
        var prompt = Math.Max(usage.PromptTokens, 0);
        var cached = Math.Clamp(usage.CachedPromptTokens, 0, prompt);
        var written = Math.Clamp(usage.CacheWriteTokens, 0, prompt - cached);
        var plain = prompt - cached - written;
        return plain * price.InputPerToken
               + cached * (price.CacheReadPerToken ?? price.InputPerToken)
               + written * (price.CacheWritePerToken ?? price.InputPerToken)
               + Math.Max(usage.CompletionTokens, 0) * price.OutputPerToken;
    }

    /// <summary>
    /// The most a call can cost before it is made (for reservations): every prompt token at the dearest
    /// prompt price (a cache write costs more than plain input), every completion token at the output price.
    /// </summary>
    public static decimal Estimate(ModelPrice? price, int promptTokens, int completionTokens) =>
        price is null ? 0 : Math.Max(promptTokens, 0) * price.HighestInputPerToken + Math.Max(completionTokens, 0) * price.OutputPerToken;

    /// <summary>The prefix the shipped table (LiteLLM's) files a provider's models under.</summary>
    public static string PrefixOf(ProviderSettings provider) => ProviderRegistry.Of(provider.Type).PricePrefix ?? provider.Name;
}
