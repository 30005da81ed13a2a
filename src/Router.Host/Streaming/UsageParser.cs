using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Streaming;

/// <summary>Reads what the router needs out of an OpenAI-format response body or stream chunk.</summary>
public static class UsageParser
{
    /// <summary>What one streamed chunk means to the router.</summary>
    public readonly record struct ChunkFacts(TokenUsage? Usage, bool IsUsageOnly, JsonElement? Error);

    /// <summary>
    /// The usage of a complete (non-streamed) response, if it reported one: read as the response's members go by, the others
    /// only checked and passed over, so no document of the whole answer is built nor its bytes copied (an answer is most of a
    /// request's bytes). The last <c>usage</c> counts, as in a parsed document; a response that is no JSON has none.
    /// </summary>
    public static TokenUsage? FromResponse(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\"usage\""u8) < 0) return null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            TokenUsage? found = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUsage = reader.ValueTextEquals("usage"u8);
                reader.Read();
                if (!isUsage)
                {
                    reader.Skip();
                    continue;
                }
                using var usage = JsonDocument.ParseValue(ref reader);
                found = Read(usage.RootElement);
            }
            return found;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Inspects a chunk only when it can matter: most chunks are content deltas and pass through
    /// unparsed. A chunk with no choices and a usage object is the usage-only chunk of include_usage.
    /// </summary>
    public static ChunkFacts InspectChunk(ReadOnlySpan<byte> data)
    {
        var mayHaveUsage = data.IndexOf("\"usage\":{"u8) >= 0 || data.IndexOf("\"usage\": {"u8) >= 0;
        var mayBeError = data.IndexOf("\"error\""u8) >= 0;
        if (!mayHaveUsage && !mayBeError) return default;
        try
        {
            var reader = new Utf8JsonReader(data);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return default;
            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
                return new ChunkFacts(null, false, error.Clone());
            var usage = root.TryGetProperty("usage", out var u) ? Read(u) : null;
            var noChoices = !root.TryGetProperty("choices", out var choices)
                            || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0;
            return new ChunkFacts(usage, usage is not null && noChoices, null);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static TokenUsage? Read(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object) return null;
        var cached = usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
            ? Int(details, "cached_tokens")
            : 0;
        return new TokenUsage(Int(usage, "prompt_tokens"), Int(usage, "completion_tokens"), cached) { ReportedCost = Cost(usage) };
    }

    // OpenRouter reports what the call cost it in credits (1 credit = 1 USD) as usage.cost.
    private static decimal? Cost(JsonElement usage) =>
        usage.TryGetProperty("cost", out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var cost) && cost >= 0
            ? cost
            : null;

    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : 0;
}
