using System.Text.Json;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Proxy;

namespace Router.Host.Routing;

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

    public static AttemptVerdict Of(CallOutcome outcome, bool responseStarted)
    {
        if (responseStarted || outcome.Error is null || outcome.Result == CallResult.Abandoned) return AttemptVerdict.Final;
        var error = outcome.Error.Body;
        if (error.Origin != ErrorOrigin.Provider)
            // The router's own verdicts on the call: unreachable (502) and too slow (504).
            return outcome.Result == CallResult.ProviderFailed ? AttemptVerdict.Retryable : AttemptVerdict.CallerError;
        var status = error.UpstreamStatus ?? outcome.Error.Status;
        if (status is 408 or 429 or >= 500) return AttemptVerdict.Retryable;
        var text = Describe(error);
        if (ContextWindowWords.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase))) return AttemptVerdict.ContextWindowExceeded;
        if (ContentPolicyWords.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase))) return AttemptVerdict.ContentPolicy;
        return AttemptVerdict.CallerError;
    }

    private static string Describe(ErrorBody error) =>
        $"{error.Code} {error.Type} {error.Message} {(error.UpstreamBody is { } body ? body.GetRawText() : "")}";
}
