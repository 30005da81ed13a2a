using System.Text.RegularExpressions;
using Router.Contracts.Configuration;

namespace Router.Host.Providers;

/// <summary>
/// Anthropic's and Gemini's paths start with their API version (<c>/v1/messages</c>,
/// <c>/v1beta/models/…</c>), and operators write their address both ways: LiteLLM's docs and Anthropic's
/// SDKs name <c>https://api.anthropic.com</c>, the router's shipped file <c>…/v1</c>. An api-base whose last
/// segment is no version gets the type's usual one (its registry row's <see cref="ProviderDefinition.ApiVersion"/>),
/// so both mean the same; a version that is given (Gemini's <c>v1</c>, <c>v1alpha</c>) is kept. OpenAI-shaped
/// servers declare none and are left as written: their prefixes vary (<c>/api/v1</c>, <c>/openai/v1</c>,
/// <c>/inference/v1</c>) and cannot be guessed.
/// </summary>
public static partial class VersionedApiBase
{
    /// <summary>
    /// <paramref name="apiBase"/> ending in a version segment when its type needs one:
    /// <c>https://api.anthropic.com</c> → <c>https://api.anthropic.com/v1</c>; a Cloudflare gateway's
    /// <c>…/anthropic</c> → <c>…/anthropic/v1</c>.
    /// </summary>
    public static Uri Complete(ProviderType type, Uri apiBase)
    {
        // An address with a query or fragment is the operator's exact one: a segment cannot be added after those.
        if (ProviderRegistry.Of(type).ApiVersion is not { } version || apiBase.Query.Length > 0 || apiBase.Fragment.Length > 0) return apiBase;
        var text = apiBase.AbsoluteUri.TrimEnd('/');
        var lastSegment = apiBase.AbsolutePath.TrimEnd('/').Split('/')[^1];
        return VersionSegment().IsMatch(lastSegment) ? new Uri(text) : new Uri($"{text}/{version}");
    }

    /// <summary><c>v1</c>, <c>v1beta</c>, <c>v1alpha</c>, <c>v2beta1</c>: how Anthropic and Google name their API versions.</summary>
    [GeneratedRegex("^v[0-9]+([a-z]+[0-9]*)?$")]
    private static partial Regex VersionSegment();
}
