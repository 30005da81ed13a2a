using System.Text.RegularExpressions;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// What a Claude model's name says about the request shapes it takes, where Anthropic's API differs by model:
/// <list type="bullet">
/// <item>native JSON output (<c>output_config.format</c>): generally available from the 4.5 models on
///   (Sonnet 4.5, Haiku 4.5, Opus 4.5 and later); older models get the forced-tool technique;</item>
/// <item>adaptive thinking (<c>thinking.type = adaptive</c> with <c>output_config.effort</c>): Opus and Sonnet
///   4.6 and later, where a fixed <c>budget_tokens</c> is deprecated (and gone from Opus 4.7 on).</item>
/// </list>
/// A name the router cannot read (an alias) is taken as an older model: its shapes are the ones every
/// Claude model accepts.
/// </summary>
public sealed partial record ClaudeModel(string Family, int Major, int Minor)
{
    public static ClaudeModel Of(string name)
    {
        var lower = name.ToLowerInvariant();
        var family = Families.FirstOrDefault(lower.Contains) ?? "";
        var version = Version().Match(lower);
        if (!version.Success) return new ClaudeModel(family, 0, 0);
        var minor = version.Groups[2].Success ? int.Parse(version.Groups[2].Value) : 0;
        return new ClaudeModel(family, int.Parse(version.Groups[1].Value), minor);
    }

    private static readonly string[] Families = ["opus", "sonnet", "haiku", "mythos", "fable"];

    private bool AtLeast(int major, int minor) => Major > major || (Major == major && Minor >= minor);

    // Mythos and Fable came after the 4.6 generation and take its shapes whatever their number.
    private bool Newer => Family is "mythos" or "fable";

    public bool HasNativeJsonOutput => Newer || (Family is "opus" or "sonnet" or "haiku" && AtLeast(4, 5));

    public bool HasAdaptiveThinking => Newer || (Family is "opus" or "sonnet" && AtLeast(4, 6)) || (Family == "haiku" && Major >= 5);

    // The first single-digit number standing alone, with an optional one- or two-digit minor: "claude-3-7-sonnet"
    // is 3.7, "claude-opus-4-1-20250805" 4.1, and "claude-sonnet-4-20250514" 4 (the date is no minor).
    [GeneratedRegex(@"(?<!\d)(\d)(?:[-.](\d{1,2}))?(?!\d)")]
    private static partial Regex Version();
}
