using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation.OpenAi;

/// <summary>
/// An OpenAI stream needs no translation: each event goes on as the provider's bytes. Only the chunks
/// that matter to the router are parsed (see <see cref="UsageParser.InspectChunk"/>): the usage-only
/// chunk, dropped when the client did not ask for it, and an error event.
/// </summary>
public sealed class OpenAiStreamTranslator(bool clientWantsUsage) : IStreamTranslator
{
    public TokenUsage? Usage { get; private set; }

    public ProviderStreamError? Error { get; private set; }

    public StreamSignal Accept(SseEvent upstream, List<byte[]> frames)
    {
        if (upstream.IsDone)
        {
            frames.Add(upstream.Raw);
            return StreamSignal.Finished;
        }
        var facts = UsageParser.InspectChunk(upstream.Data.Span);
        if (facts.Error is { } error)
        {
            Error = new ProviderStreamError(ProviderStreamError.StatusOf(error), upstream.Data.ToArray());
            return StreamSignal.Failed;
        }
        if (facts.Usage is not null) Usage = facts.Usage;
        if (!facts.IsUsageOnly || clientWantsUsage) frames.Add(upstream.Raw);
        return StreamSignal.Continue;
    }

    /// <summary>An OpenAI stream is complete only with <c>[DONE]</c>.</summary>
    public StreamSignal End(List<byte[]> frames) => StreamSignal.Failed;
}
