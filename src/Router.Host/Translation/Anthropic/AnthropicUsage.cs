using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// Anthropic's <c>usage</c> object in OpenAI's terms. Anthropic counts cache reads and cache writes
/// apart from <c>input_tokens</c>; OpenAI's prompt tokens include them.
/// </summary>
public struct AnthropicUsage
{
    public int Input;
    public int CacheRead;
    public int CacheCreation;
    public int Output;

    /// <summary>
    /// Takes the counts a <c>usage</c> object carries. Counts are cumulative, so a later report replaces
    /// an earlier one; an input count of zero does not erase one already known (a <c>message_delta</c>
    /// may repeat input counts as zero).
    /// </summary>
    public void Update(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object) return;
        Input = Take(usage, "input_tokens", Input, keepKnown: true);
        CacheRead = Take(usage, "cache_read_input_tokens", CacheRead, keepKnown: true);
        CacheCreation = Take(usage, "cache_creation_input_tokens", CacheCreation, keepKnown: true);
        Output = Take(usage, "output_tokens", Output, keepKnown: false);
    }

    public readonly TokenUsage ToTokenUsage() =>
        new(Input + CacheRead + CacheCreation, Output, CacheRead, CacheCreation);

    public static TokenUsage Read(JsonElement usage)
    {
        var read = new AnthropicUsage();
        read.Update(usage);
        return read.ToTokenUsage();
    }

    private static int Take(JsonElement usage, string name, int known, bool keepKnown) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count)
        && !(keepKnown && count == 0)
            ? count
            : known;
}
