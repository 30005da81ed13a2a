using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation;

/// <summary>
/// Turns one provider's event stream into OpenAI's <c>chat.completion.chunk</c> events, one upstream
/// event at a time, so the client sees each token as soon as the provider sends it.
/// </summary>
public interface IStreamTranslator
{
    /// <summary>
    /// Reads one upstream event and appends the complete SSE frames it becomes (<c>data: {…}\n\n</c>,
    /// and <c>data: [DONE]\n\n</c> when the answer is finished) to <paramref name="frames"/>.
    /// </summary>
    StreamSignal Accept(SseEvent upstream, List<byte[]> frames);

    /// <summary>
    /// The upstream stream has closed. Returns <see cref="StreamSignal.Finished"/> (after appending the
    /// closing frames) when that is how this provider ends a complete answer, else <see cref="StreamSignal.Failed"/>.
    /// </summary>
    StreamSignal End(List<byte[]> frames);

    /// <summary>The usage reported so far, if any.</summary>
    TokenUsage? Usage { get; }

    /// <summary>
    /// After <see cref="StreamSignal.Failed"/>: the provider's own error event, or null when the stream
    /// merely stopped too early.
    /// </summary>
    ProviderStreamError? Error { get; }
}

public enum StreamSignal
{
    /// <summary>Keep reading.</summary>
    Continue,
    /// <summary>The answer is complete and its closing frames (ending in <c>[DONE]</c>) were appended.</summary>
    Finished,
    /// <summary>The provider failed; nothing more is to be read.</summary>
    Failed,
}

/// <summary>An error event from the provider: its payload as sent, and the HTTP status it stands for.</summary>
public sealed record ProviderStreamError(int Status, byte[] Payload)
{
    /// <summary>The status an error sent inside a stream stands for: its code when that is an HTTP error status, else 502.</summary>
    public static int StatusOf(JsonElement error) =>
        error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var code)
        && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var n) && n is >= 400 and <= 599
            ? n
            : 502;
}
