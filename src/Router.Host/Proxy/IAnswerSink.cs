using Router.Contracts.Wire;

namespace Router.Host.Proxy;

/// <summary>
/// Where an attempt's answer is charged, at the moment its cost is known and before the client holds it whole:
/// a client holding a complete answer finds its cost in the key's spend.
/// </summary>
public interface IAnswerSink
{
    /// <summary>A JSON answer's usage, just before its headers leave: the answer waits for it (its cost goes in the headers).</summary>
    ValueTask OnAnswer(TokenUsage usage);

    /// <summary>A stream's usage, just before its closing frames (finish, usage, <c>[DONE]</c>) leave: they wait for it.</summary>
    ValueTask OnStreamEnding(TokenUsage usage);
}
