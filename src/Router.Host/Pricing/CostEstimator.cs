using System.Text.Json;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Routing;
using Router.Host.Translation;

namespace Router.Host.Pricing;

/// <summary>
/// What a request may cost before it is sent, for the key's reservation: its prompt counted with the
/// o200k tokenizer, its completion limit (<c>max_tokens</c>, else <c>router.estimate-completion-tokens</c>),
/// at the price of the deployment it goes to first. And what it did cost, from the provider's usage.
/// </summary>
public sealed class CostEstimator(CostCalculator costs, IReadOnlyDictionary<string, ProviderSettings> providers, int defaultCompletionTokens)
{
    public (decimal Cost, int Tokens) Estimate(ProxyRequest request, RouteMatch match, Deployment deployment)
    {
        var prompt = PromptTokens(request);
        var completion = ChatRequestReader.MaxTokens(request) ?? defaultCompletionTokens;
        return (CostCalculator.Estimate(PriceOf(match, deployment), prompt, completion), prompt + completion);
    }

    public decimal Cost(RouteMatch match, Deployment deployment, TokenUsage usage) =>
        CostCalculator.Cost(PriceOf(match, deployment), usage);

    private ModelPrice? PriceOf(RouteMatch match, Deployment deployment) =>
        costs.PriceOf(providers[deployment.ProviderName], match.RequestedModel, match.UpstreamModelFor(deployment));

    /// <summary>The request's prompt as the tokenizer counts it.</summary>
    public static int PromptTokens(ProxyRequest request) => request.Field("messages") switch
    {
        { ValueKind: JsonValueKind.Array } messages => ContextWindows.CountTokens(messages),
        _ => (request.Field("prompt") ?? request.Field("input")) is { } text ? ContextWindows.CountText(text) : 0,
    };
}
