using System.Runtime.InteropServices;
using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Pricing;

/// <summary>
/// How many prompt tokens a request can be billed at most, counted before it is sent (o200k, as OpenAI's current
/// models count): everything the provider reads is counted, so that a key's reservation is an upper bound of its
/// cost. Chat messages (OpenAI's, or Anthropic's with their <c>system</c>) with their framing, names, text, tool calls and non-text parts; the tool definitions and a
/// response format's schema (which the provider puts in the prompt); the tokens that prime the reply. A legacy
/// prompt or an embedding input is counted as it is.
/// </summary>
public static class PromptTokenBound
{
    /// <summary>
    /// The tokens an image part counts for, whatever its size and detail: the largest any supported provider bills for
    /// one image. OpenAI's patch-counted models bill at most 1,536 patches times their multiplier (gpt-4.1-nano and
    /// gpt-5-nano: 2.46, so 3,779 tokens); its tile-counted ones at most 85 + 170 × 8 tiles = 1,445 (gpt-4o, high
    /// detail, 2048 × 768); Anthropic about 1,600 (1.15 megapixels at 750 pixels a token); Gemini 258 a tile. Not
    /// bounded: gpt-4o-mini, which bills an image as up to 48,169 tokens at its low price (2,833 + 5,667 a tile).
    /// </summary>
    public const int ImageTokens = 3_779;

    /// <summary>Each message's role and separators, as OpenAI counts them (3; one more for a name).</summary>
    private const int MessageFraming = 4;

    /// <summary>Every reply is primed with <c>&lt;|start|&gt;assistant&lt;|message|&gt;</c>.</summary>
    private const int ReplyPriming = 3;

    /// <summary>
    /// The bound for a request of the key <paramref name="keyId"/>: long texts a key sent before are
    /// looked up in <paramref name="memo"/> (<see cref="TokenCountMemo.Shared"/> unless given) rather than counted again.
    /// </summary>
    public static int Count(ProxyRequest request, string keyId, TokenCountMemo? memo = null) =>
        Count(request, new Counting(memo ?? TokenCountMemo.Shared, keyId));

    /// <summary>
    /// A bound at or above <see cref="Count"/> that needs no tokenizer: each text counted as the bytes of its JSON, since a
    /// token is never shorter than a byte (in o200k, and in every provider's byte-level tokenizer). About four times the
    /// tokens of English text; what most requests' admission needs, when the key's limits and budget are far away.
    /// </summary>
    public static int RoughCount(ProxyRequest request) => Count(request, new Counting(Memo: null, KeyId: ""));

    private static int Count(ProxyRequest request, Counting counting)
    {
        if (request.Field("messages") is { ValueKind: JsonValueKind.Array } messages)
            return counting.Messages(messages) + counting.System(request.Field("system"))
                   + counting.Raw(request.Field("tools")) + counting.Raw(request.Field("functions")) + counting.Raw(request.Field("response_format"))
                   + ReplyPriming;
        // A Responses request's items: their JSON as written, with its instructions, tools and output schema.
        if (request.Field("input") is { } items
            && (request.Field("instructions") is not null || items.ValueKind == JsonValueKind.Array && items.EnumerateArray().Any(i => i.ValueKind == JsonValueKind.Object)))
            return counting.Items(items) + counting.Raw(request.Field("instructions")) + counting.Raw(request.Field("tools")) + counting.Raw(request.Field("text")) + ReplyPriming;
        return (request.Field("prompt") ?? request.Field("input")) is { } text ? counting.Prompt(text) : 0;
    }

    /// <summary>One request's counting: in tokens, with its key's memo entries; or without a memo, roughly: each text as its JSON's bytes.</summary>
    private readonly record struct Counting(TokenCountMemo? Memo, string KeyId)
    {
        /// <summary>A legacy prompt or an embedding input: a string, token ids, or an array of either.</summary>
        public int Prompt(JsonElement text) => Memo is null ? Bytes(text) : TokenCounter.CountText(text);

        public int Messages(JsonElement messages)
        {
            var count = 0;
            foreach (var message in messages.EnumerateArray())
            {
                count += MessageFraming;
                if (message.ValueKind != JsonValueKind.Object) continue;
                foreach (var field in message.EnumerateObject())
                    count += field.Name switch
                    {
                        "role" => 0, // in the framing
                        "content" => Content(field.Value),
                        "name" or "tool_call_id" => Text(field.Value),
                        // tool_calls, function_call, audio: what the model wrote before, read back in full
                        _ => Raw(field.Value),
                    };
            }
            return count;
        }

        private int Content(JsonElement content)
        {
            if (content.ValueKind != JsonValueKind.Array) return Text(content);
            var count = 0;
            foreach (var part in content.EnumerateArray())
                count += part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) ? type.GetString() switch
                {
                    "text" or "input_text" => part.TryGetProperty("text", out var text) ? Text(text) : 0,
                    "image_url" or "input_image" or "image" => ImageTokens,
                    // Audio, files and what comes next: their JSON, base64 and all, which tokenizes to more than any provider bills.
                    _ => Raw(part),
                } : Raw(part);
            return count;
        }

        /// <summary>
        /// A Responses request's input items, each item's JSON counted on its own (an agent sends its items again every turn,
        /// and each is then found as it was counted) with a token for each bracket and comma between them. Counted apart, no
        /// token spans two items, and the sum stays at or above the array's own count: a test holds an agent's items to that.
        /// </summary>
        public int Items(JsonElement items)
        {
            if (items.ValueKind != JsonValueKind.Array) return Raw(items);
            var count = 1; // the opening bracket; each item adds itself and the comma or bracket after it
            foreach (var item in items.EnumerateArray()) count += Raw(item) + 1;
            return count;
        }

        /// <summary>Anthropic's top-level <c>system</c> (a Messages request): a string or text blocks.</summary>
        public int System(JsonElement? system) => system is { } present ? Content(present) : 0;

        private int Text(JsonElement text) => text.ValueKind != JsonValueKind.String ? 0 : Memo?.OfString(text, KeyId) ?? Bytes(text);

        /// <summary>The tokens of a field's JSON as written: a schema or a call's arguments read as the provider renders them, or more.</summary>
        public int Raw(JsonElement? value) =>
            value is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } present ? Memo?.OfJson(present, KeyId) ?? Bytes(present) : 0;

        /// <summary>A value's JSON as written, in bytes: escapes and quotes only add to what its text tokenizes to.</summary>
        private static int Bytes(JsonElement value) => JsonMarshal.GetRawUtf8Value(value).Length;
    }
}
