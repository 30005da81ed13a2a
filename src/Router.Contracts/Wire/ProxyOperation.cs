using System.Text.Json;

namespace Router.Contracts.Wire;

/// <summary>One OpenAI endpoint the router proxies: where it lives upstream and what its body must hold.</summary>
public sealed record ProxyOperation(string UpstreamPath, string RequiredField, JsonValueKind[] RequiredKinds, bool CanStream)
{
    /// <summary>Whether the answer is generated text, paid per completion token (embeddings are not).</summary>
    public bool Generates { get; init; } = true;

    public static readonly ProxyOperation ChatCompletions =
        new("/chat/completions", "messages", [JsonValueKind.Array], CanStream: true);

    public static readonly ProxyOperation Completions =
        new("/completions", "prompt", [JsonValueKind.String, JsonValueKind.Array], CanStream: true);

    public static readonly ProxyOperation Embeddings =
        new("/embeddings", "input", [JsonValueKind.String, JsonValueKind.Array], CanStream: false) { Generates = false };

    /// <summary>
    /// Anthropic's Messages API (<c>/v1/messages</c>): its body goes to an Anthropic provider as the client wrote it,
    /// and is bridged through the chat translation to every other.
    /// </summary>
    public static readonly ProxyOperation Messages =
        new("/messages", "messages", [JsonValueKind.Array], CanStream: true);

    /// <summary>
    /// OpenAI's Responses API (<c>/v1/responses</c>): to an OpenAI provider as the client wrote it, bridged through the
    /// chat translation to every other.
    /// </summary>
    public static readonly ProxyOperation Responses =
        new("/responses", "input", [JsonValueKind.String, JsonValueKind.Array], CanStream: true);
}
