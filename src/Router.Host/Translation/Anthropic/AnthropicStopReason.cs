namespace Router.Host.Translation.Anthropic;

/// <summary>Anthropic's <c>stop_reason</c> as OpenAI's <c>finish_reason</c>.</summary>
public static class AnthropicStopReason
{
    public static string ToFinishReason(string? stopReason) => stopReason switch
    {
        "max_tokens" or "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        // end_turn, stop_sequence, pause_turn (a long turn the client may resume), and any reason added later.
        _ => "stop",
    };
}
