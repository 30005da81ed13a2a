using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Router.Host.Pricing;

/// <summary>
/// Tokens as OpenAI's current models count them (o200k), for what the router must count itself: a reservation's
/// upper bound, an estimate of what an answer without usage used, a prompt against a context window. The
/// tokenizer is loaded on first need.
/// </summary>
public static class TokenCounter
{
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    /// <summary>
    /// The tokens of a prompt or input that is a string, an array of token ids (one each), or an array of either.
    /// </summary>
    public static int CountText(JsonElement text) => text.ValueKind switch
    {
        JsonValueKind.String => O200k.Value.CountTokens(text.GetString()!),
        JsonValueKind.Number => 1,
        JsonValueKind.Array => text.EnumerateArray().Sum(CountText),
        _ => 0,
    };

    /// <summary>The tokens of a text, as OpenAI's current models count them.</summary>
    public static int CountTokens(string text) => text.Length == 0 ? 0 : O200k.Value.CountTokens(text);

    /// <summary>
    /// The tokens of the messages' text, as OpenAI's current models count them; each text (a JSON string) counted by
    /// <paramref name="countText"/> when given, which may find it counted before (<see cref="TokenCountMemo"/>).
    /// </summary>
    public static int CountTokens(JsonElement messages, Func<JsonElement, int>? countText = null)
    {
        countText ??= static text => CountTokens(text.GetString()!);
        var count = 0;
        foreach (var message in messages.EnumerateArray())
        {
            count += 4; // each message's role and framing
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content)) continue;
            if (content.ValueKind == JsonValueKind.String) count += countText(content);
            else if (content.ValueKind == JsonValueKind.Array)
                foreach (var part in content.EnumerateArray())
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                        count += countText(text);
        }
        return count;
    }
}
