using Router.Contracts.Wire;

namespace Router.Host.Pricing;

/// <summary>
/// What one upstream call used when the provider did not say, so that no answer is free: the prompt
/// counted with the tokenizer as the key's reservation counts it (tools and schemas included, an image at its
/// bound: an estimate errs towards the provider's bill, not below it), and the completion counted from what the client was sent. Providers bill
/// every token they generated, whether or not the answer was complete, so an answer cut short (the client
/// gone, the provider's connection broken, the stream idle) is charged for what it used, and so is one
/// from a provider that reports no usage. Such usage is marked <see cref="TokenUsage.Estimated"/>.
/// Nothing is counted until it is needed: most answers carry the provider's own usage.
/// </summary>
/// <param name="keyId">The key the request came with: whose counts of long texts are looked up (<see cref="TokenCountMemo"/>).</param>
public sealed class UsageEstimate(ProxyRequest request, string keyId)
{
    private List<byte[]>? _relayed;

    /// <summary>A stream frame the client was sent (or is about to be).</summary>
    public void Relayed(byte[] frame) => (_relayed ??= []).Add(frame);

    /// <summary>
    /// A stream that finished: the provider's usage, else an estimate from what was relayed.
    /// </summary>
    public TokenUsage OfFinishedStream(TokenUsage? reported) => reported ?? Estimate(null, CompletionTokens.OfFrames(Relayed()));

    /// <summary>
    /// A stream that ended before its answer was complete. What the provider reported so far stands where it
    /// covers what was relayed (an OpenAI stream's usage comes last, so then it is complete); where it does not
    /// (no usage yet, or Anthropic's start-of-message count), the prompt is counted and the completion is what
    /// was relayed.
    /// </summary>
    public TokenUsage OfEndedStream(TokenUsage? reported)
    {
        var relayed = CompletionTokens.OfFrames(Relayed());
        return reported is { PromptTokens: > 0 } && reported.CompletionTokens >= relayed ? reported : Estimate(reported, relayed);
    }

    /// <summary>A complete JSON answer: the provider's usage, else an estimate from the answer's text.</summary>
    public TokenUsage OfAnswer(TokenUsage? reported, ReadOnlySpan<byte> body) =>
        reported ?? Estimate(null, CompletionTokens.OfAnswer(body));

    /// <summary>A JSON answer the client left before it arrived: the provider read the prompt, and the rest is unknown.</summary>
    public TokenUsage OfAbandonedAnswer() => Estimate(null, 0);

    private IEnumerable<byte[]> Relayed() => _relayed ?? (IEnumerable<byte[]>)[];

    private TokenUsage Estimate(TokenUsage? reported, int completionTokens) =>
        new(reported is { PromptTokens: > 0 } ? reported.PromptTokens : PromptTokenBound.Count(request, keyId),
            Math.Max(reported?.CompletionTokens ?? 0, completionTokens),
            reported?.CachedPromptTokens ?? 0, reported?.CacheWriteTokens ?? 0, reported?.ReasoningTokens ?? 0)
        {
            Estimated = true,
        };
}
