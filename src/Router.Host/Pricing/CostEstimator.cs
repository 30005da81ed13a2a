using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Providers;
using Router.Host.Translation;

namespace Router.Host.Pricing;

/// <summary>
/// The most a request may cost, before it is sent, for the key's reservation: its prompt counted in full
/// (<see cref="PromptTokenBound"/>) plus the longest completion it can produce, times its choices, at the dearest
/// price among the deployments that may serve it. And what it did cost, from the provider's usage.
/// </summary>
/// <param name="defaultCompletionTokens">The completion assumed when neither the client nor the price table gives a limit
/// (<c>router.estimate-completion-tokens</c>).</param>
public sealed class CostEstimator(
    CostCalculator costs, IReadOnlyDictionary<string, ProviderSettings> providers, ModelCatalog catalog, int defaultCompletionTokens)
{
    /// <summary>
    /// The request's upper bound over every deployment of its model (the one an attempt ends up on is not known yet):
    /// the highest prompt and completion prices, and the longest completion. The completion is the client's
    /// <c>max_completion_tokens</c> or <c>max_tokens</c>; else what the provider is sent in their place (Anthropic's
    /// <c>default-max-tokens</c>); else the model's output limit in the price table; else <c>router.estimate-completion-tokens</c>.
    /// The tokens counted against a TPM limit assume the client's limit, else <c>router.estimate-completion-tokens</c>:
    /// a model's longest completion (16,384 tokens for gpt-4o-mini) would refuse every request of a key with a small limit.
    /// A <paramref name="rough"/> estimate counts the prompt as its bytes (<see cref="PromptTokenBound.RoughCount"/>), no tokenizer.
    /// </summary>
    public ReservationEstimate Estimate(ProxyRequest request, string keyId, ProxyOperation operation, RouteMatch match, bool rough = false)
    {
        var promptTokens = rough ? PromptTokenBound.RoughCount(request) : PromptTokenBound.Count(request, keyId);
        var clientLimit = ChatRequestReader.MaxTokens(request);
        decimal inputPrice = 0, outputPrice = 0;
        var completionTokens = 0;
        var priced = true;
        var deployments = match.Group.Deployments;
        for (var i = 0; i < deployments.Count; i++)
        {
            var deployment = deployments[i];
            var provider = providers[deployment.ProviderName];
            var upstream = match.UpstreamModelFor(deployment);
            completionTokens = Math.Max(completionTokens, clientLimit ?? DefaultLimit(provider, upstream));
            if (costs.PriceOf(provider, match.RequestedModel, upstream) is not { } price)
            {
                priced = false;
                continue;
            }
            inputPrice = Math.Max(inputPrice, price.HighestInputPerToken);
            outputPrice = Math.Max(outputPrice, price.OutputPerToken);
        }
        if (!operation.Generates) return new ReservationEstimate(promptTokens, promptTokens * inputPrice, 0, 1, 0, priced, 0);
        return new ReservationEstimate(promptTokens, promptTokens * inputPrice, Math.Max(completionTokens, 0), Choices(request), outputPrice, priced,
            Math.Max(clientLimit ?? defaultCompletionTokens, 0));
    }

    public decimal Cost(RouteMatch match, Deployment deployment, TokenUsage usage) =>
        CostCalculator.Cost(PriceOf(match, deployment), usage);

    /// <summary>
    /// Whether calls to a deployment have a price. An exact route is priced by its model; a model behind a pattern
    /// (<paramref name="modelBehindPattern"/>, its upstream name) by its own; a pattern as a whole only when every
    /// model it routes is (a local provider, or a price for the pattern's name): otherwise null, as each of its
    /// models is priced or not on its own.
    /// </summary>
    public bool? IsPriced(Deployment deployment, string? modelBehindPattern = null)
    {
        var provider = providers[deployment.ProviderName];
        if (!deployment.IsPattern)
            return costs.PriceOf(provider, deployment.ModelName, deployment.UpstreamModelFor(deployment.ModelName)) is not null;
        if (costs.PriceOf(provider, deployment.ModelName, deployment.ModelName) is not null) return true;
        return modelBehindPattern is null ? null : costs.PriceOf(provider, modelBehindPattern, modelBehindPattern) is not null;
    }

    private ModelPrice? PriceOf(RouteMatch match, Deployment deployment) =>
        costs.PriceOf(providers[deployment.ProviderName], match.RequestedModel, match.UpstreamModelFor(deployment));

    /// <summary>The longest completion a request that sets no limit gets from a provider.</summary>
    private int DefaultLimit(ProviderSettings provider, string upstreamModel) =>
        ProviderRegistry.Of(provider.Type).SendsDefaultMaxTokens
            ? provider.DefaultMaxTokens // its dialect sends it when the client sets none
            : catalog.Find(CostCalculator.PrefixOf(provider), upstreamModel)?.MaxOutputTokens ?? defaultCompletionTokens;

    /// <summary>
    /// How many completions the request is billed for: chat's <c>n</c>, or for a legacy completion the larger of
    /// <c>n</c> and <c>best_of</c> (the provider generates best_of and bills them all).
    /// </summary>
    private static int Choices(ProxyRequest request) =>
        Math.Max(1, Math.Max(ChatRequestReader.Int(request, "n") ?? 1, ChatRequestReader.Int(request, "best_of") ?? 1));
}

/// <summary>
/// The most a request may cost: its prompt, and <paramref name="CompletionTokens"/> per choice for
/// <paramref name="Choices"/> choices at <paramref name="CostPerCompletionToken"/> each.
/// </summary>
/// <param name="Priced">Whether every deployment that may serve it has a price; if not, its costs are 0 there.</param>
/// <param name="ExpectedCompletionTokens">The completion per choice counted against a TPM limit (see <see cref="Tokens"/>).</param>
public sealed record ReservationEstimate(
    int PromptTokens, decimal PromptCost, int CompletionTokens, int Choices, decimal CostPerCompletionToken, bool Priced,
    int ExpectedCompletionTokens)
{
    public decimal Cost => PromptCost + (decimal)CompletionTokens * Choices * CostPerCompletionToken;

    /// <summary>
    /// The tokens counted against the key's TPM limit: the prompt, and the client's completion limit (else
    /// <c>router.estimate-completion-tokens</c>) for each choice. A client may ask for any limit and any n: the count
    /// saturates rather than wraps round.
    /// </summary>
    public int Tokens => (int)Math.Min(int.MaxValue, PromptTokens + (long)ExpectedCompletionTokens * Choices);

    /// <summary>
    /// The completion part of the estimate, for the key's budget to lower down to <paramref name="minimum"/>
    /// tokens when it cannot cover the whole; null when there is no completion to lower or it costs nothing.
    /// </summary>
    public KeyBudget.CompletionLimit? LowerableTo(int minimum) =>
        CompletionTokens > 0 && CostPerCompletionToken > 0 ? new KeyBudget.CompletionLimit(CompletionTokens, Choices, CostPerCompletionToken, minimum) : null;
}
