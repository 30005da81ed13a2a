using Router.Contracts.Configuration;
using Router.Host.Providers;

namespace Router.Host.Import;

/// <summary>
/// A LiteLLM <c>api_base</c> as the router's <c>api-base</c> for the provider type that serves it. The two
/// name different things: LiteLLM adds <c>/v1/messages</c> to an Anthropic address and speaks Ollama's own
/// API at the server's root, while the router's api-base is the versioned root below which it adds the
/// operation's path (<c>/messages</c>, <c>/chat/completions</c>, <c>/models/…</c>).
/// </summary>
internal static class LiteLlmApiBase
{
    /// <summary>The address for the router, and a note when it says more than LiteLLM's file did.</summary>
    /// <param name="trimmed">The api_base as written, without a trailing slash; <paramref name="uri"/> is it parsed.</param>
    public static (string ApiBase, string? Note) ToRouter(ProviderKind kind, string type, string trimmed, Uri uri)
    {
        var bareRoot = uri.AbsolutePath == "/";
        switch (type)
        {
            case "anthropic":
                // LiteLLM calls {api_base}/v1/messages unless the address already ends so; the router calls {api-base}/messages.
                var root = WithoutSuffix(trimmed, "/messages");
                return (Versioned(ProviderType.Anthropic, root), null);
            case "gemini":
                // LiteLLM calls {api_base}/models/{model}:generateContent, as the router does: only a missing version is added.
                return (Versioned(ProviderType.Gemini, trimmed), null);
        }
        if (kind.IsOllama)
            // LiteLLM speaks Ollama's own API at the server's root; the router its OpenAI-compatible one under /v1.
            return (trimmed.EndsWith("/v1", StringComparison.Ordinal) ? trimmed : trimmed + "/v1", null);

        // LiteLLM takes a full endpoint URL for an OpenAI-shaped server too; the router adds the path itself.
        var based = WithoutSuffix(trimmed, "/chat/completions");
        if (bareRoot && kind.OpenAiApiUnderV1)
            return (based + "/v1", $"'{trimmed}' has no path; {kind.ShortName}'s OpenAI-compatible API is under /v1, so the router's api-base names it");
        if (bareRoot)
            return (based, $"'{trimmed}' has no path, so requests go to {based}/chat/completions as LiteLLM's did; most OpenAI-compatible servers (vLLM, LM Studio, llama.cpp) answer under /v1: add it if yours does");
        return (based, null);
    }

    private static string Versioned(ProviderType type, string address) =>
        VersionedApiBase.Complete(type, new Uri(address)).AbsoluteUri.TrimEnd('/');

    private static string WithoutSuffix(string text, string suffix) =>
        text.EndsWith(suffix, StringComparison.Ordinal) ? text[..^suffix.Length] : text;
}
