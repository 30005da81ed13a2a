using System.Text.Json;

namespace Router.Host.Translation.Gemini;

/// <summary>
/// Gemini's <c>Candidate.FinishReason</c> and <c>PromptFeedback.BlockReason</c> in OpenAI's terms. Every
/// stop other than a natural one keeps Gemini's own reason in the choice (<c>provider_finish_reason</c>),
/// and a content filter stop also keeps the <c>safety_ratings</c> as Gemini sent them, so a client can
/// tell a safety block from a recitation one.
/// </summary>
public static class GeminiFinishReasons
{
    /// <summary>
    /// The OpenAI <c>finish_reason</c> for a candidate's <paramref name="reason"/>. STOP is <c>tool_calls</c>
    /// when the candidate called functions; every filtering reason (SAFETY, RECITATION, BLOCKLIST,
    /// PROHIBITED_CONTENT, SPII, IMAGE_SAFETY, …) is <c>content_filter</c>; the rest (OTHER, LANGUAGE,
    /// MALFORMED_FUNCTION_CALL, …), which OpenAI has no word for, are <c>stop</c>.
    /// </summary>
    public static string ToOpenAi(string? reason, bool madeToolCalls) => reason switch
    {
        null or "STOP" or "FINISH_REASON_UNSPECIFIED" => madeToolCalls ? "tool_calls" : "stop",
        "MAX_TOKENS" => "length",
        _ when IsFilter(reason) => "content_filter",
        _ => "stop",
    };

    /// <summary>Whether Gemini stopped because something was filtered, including reasons added after this was written.</summary>
    public static bool IsFilter(string reason) =>
        reason is "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII"
            or "IMAGE_SAFETY" or "IMAGE_PROHIBITED_CONTENT" or "IMAGE_RECITATION"
        || reason.Contains("SAFETY", StringComparison.Ordinal)
        || reason.Contains("PROHIBITED", StringComparison.Ordinal)
        || reason.Contains("RECITATION", StringComparison.Ordinal)
        || reason.Contains("BLOCKLIST", StringComparison.Ordinal);

    /// <summary>
    /// The extra choice properties for a candidate that stopped for <paramref name="reason"/>: none for a
    /// natural stop or the length limit; otherwise <c>provider_finish_reason</c>, and for a filter the
    /// candidate's <c>safetyRatings</c> as <c>safety_ratings</c>.
    /// </summary>
    public static Action<Utf8JsonWriter>? Details(string? reason, JsonElement? safetyRatings)
    {
        if (reason is null or "STOP" or "FINISH_REASON_UNSPECIFIED" or "MAX_TOKENS") return null;
        var ratings = IsFilter(reason) && safetyRatings is { ValueKind: JsonValueKind.Array } r ? r.Clone() : (JsonElement?)null;
        return json =>
        {
            json.WriteString("provider_finish_reason", reason);
            if (ratings is { } kept)
            {
                json.WritePropertyName("safety_ratings");
                kept.WriteTo(json);
            }
        };
    }

    /// <summary>The choice properties of a prompt Gemini blocked before answering: its block reason and the prompt's safety ratings.</summary>
    public static Action<Utf8JsonWriter> PromptBlockDetails(string blockReason, JsonElement? safetyRatings)
    {
        var ratings = safetyRatings is { ValueKind: JsonValueKind.Array } r ? r.Clone() : (JsonElement?)null;
        return json =>
        {
            json.WriteString("provider_finish_reason", blockReason);
            if (ratings is { } kept)
            {
                json.WritePropertyName("safety_ratings");
                kept.WriteTo(json);
            }
        };
    }
}
