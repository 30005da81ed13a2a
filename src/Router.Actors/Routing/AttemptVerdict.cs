using Router.Contracts.Messages;
using Router.Contracts.Wire;

namespace Router.Actors.Routing;

/// <summary>What the router does after one attempt.</summary>
public enum AttemptVerdict
{
    /// <summary>Answered, or the answer has started reaching the client (a stream is never retried), or the client left.</summary>
    Final,
    /// <summary>The caller's own mistake (a 4xx other than 408 and 429): the same request would fail anywhere.</summary>
    CallerError,
    /// <summary>Unreachable, too slow, rate-limited, overloaded or a 5xx: another attempt may succeed.</summary>
    Retryable,
    /// <summary>The prompt is too long for this model: only a larger one helps.</summary>
    ContextWindowExceeded,
    /// <summary>The provider refused the content: only another model may take it.</summary>
    ContentPolicy,
}

public static class AttemptVerdicts
{
    private static readonly string[] ContextWindowWords =
        ["context_length_exceeded", "context length", "context window", "maximum context", "prompt is too long",
         "too many tokens", "exceeds the maximum number of tokens", "input is too long"];

    private static readonly string[] ContentPolicyWords =
        ["content_policy", "content policy", "content_filter", "content management policy", "safety system"];

    /// <summary>
    /// Whether a provider's status says the provider is in trouble (a timeout, a rate limit, a server error), so
    /// that its breaker counts a failure and another attempt may succeed; any other 4xx is the caller's doing.
    /// </summary>
    public static bool IsProviderFault(int status) => status is 408 or 429 or >= 500;

    /// <summary>What comes after one attempt that ended as <paramref name="result"/>.</summary>
    /// <param name="error">The error the attempt ended with (none: it answered).</param>
    /// <param name="status">The status the router would answer that error with.</param>
    /// <param name="responseStarted">Whether the answer has started reaching the client: then nothing is retried.</param>
    public static AttemptVerdict Of(CallResult result, ErrorBody? error, int status, bool responseStarted)
    {
        if (responseStarted || error is null || result == CallResult.Abandoned) return AttemptVerdict.Final;
        if (error.Origin != ErrorOrigin.Provider)
            // The router's own verdicts on the call: unreachable (502) and too slow (504).
            return result == CallResult.ProviderFailed ? AttemptVerdict.Retryable : AttemptVerdict.CallerError;
        if (IsProviderFault(error.UpstreamStatus ?? status)) return AttemptVerdict.Retryable;
        var text = Describe(error);
        if (MentionsAny(text, ContextWindowWords)) return AttemptVerdict.ContextWindowExceeded;
        if (MentionsAny(text, ContentPolicyWords)) return AttemptVerdict.ContentPolicy;
        return AttemptVerdict.CallerError;
    }

    private static bool MentionsAny(string text, string[] words)
    {
        foreach (var word in words)
            if (text.Contains(word, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static string Describe(ErrorBody error) =>
        $"{error.Code} {error.Type} {error.Message} {(error.UpstreamBody is { } body ? body.GetRawText() : "")}";
}
