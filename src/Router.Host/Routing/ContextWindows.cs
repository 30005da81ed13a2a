using System.Runtime.InteropServices;
using System.Text.Json;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Pricing;

namespace Router.Host.Routing;

/// <summary>
/// Tells whether a prompt is too long for a deployment, before it is sent: the deployment's
/// <c>max-input-tokens</c>, else the price table's figure for its upstream model. Counting tokens is
/// only needed for a long prompt: a token is never shorter than a byte, so a prompt whose JSON has
/// fewer bytes than the limit fits, and the tokenizer (<see cref="TokenCounter"/>) is left alone. A long prompt's texts the
/// key sent before are not counted again (<see cref="TokenCountMemo"/>): an agent past the limit's bytes resends them every turn.
/// </summary>
/// <param name="memo">Where counts are kept: <see cref="TokenCountMemo.Shared"/> unless a test gives its own.</param>
public sealed class ContextWindows(ModelCatalog catalog, IReadOnlyDictionary<string, ProviderSettings> providers, TokenCountMemo? memo = null)
{
    private readonly TokenCountMemo _memo = memo ?? TokenCountMemo.Shared;

    public int? LimitOf(Deployment deployment, string upstreamModel) =>
        deployment.MaxInputTokens
        ?? catalog.Find(CostCalculator.PrefixOf(providers[deployment.ProviderName]), upstreamModel)?.MaxInputTokens;

    public bool Exceeds(ProxyRequest request, string keyId, Deployment deployment, string upstreamModel)
    {
        if (LimitOf(deployment, upstreamModel) is not { } limit) return false;
        if (request.Field("messages") is not { ValueKind: JsonValueKind.Array } messages) return false;
        if (JsonMarshal.GetRawUtf8Value(messages).Length <= limit) return false;
        return TokenCounter.CountTokens(messages, text => _memo.OfString(text, keyId)) > limit;
    }
}
