using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation.OpenAi;

/// <summary>A Responses object's <c>usage</c> (<c>input_tokens</c>, <c>output_tokens</c> and their details) in the router's terms.</summary>
public static class ResponsesUsage
{
    /// <param name="response">A <c>response</c> object; null when it has no usage.</param>
    public static TokenUsage? Read(JsonElement response)
    {
        if (response.ValueKind != JsonValueKind.Object || !response.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
            return null;
        return new TokenUsage(Int(usage, "input_tokens"), Int(usage, "output_tokens"),
            usage.TryGetProperty("input_tokens_details", out var input) ? Int(input, "cached_tokens") : 0, 0,
            usage.TryGetProperty("output_tokens_details", out var output) ? Int(output, "reasoning_tokens") : 0);
    }

    private static int Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.TryGetInt32(out var n) ? n : 0;
}
