using System.Text.Json;

namespace Router.Host.Translation;

/// <summary>One message of an OpenAI chat request, read into the parts a translator needs.</summary>
/// <param name="Role">system, developer, user, assistant or tool.</param>
/// <param name="Parts">Its content; empty when an assistant turn carries only tool calls.</param>
/// <param name="ToolCalls">The tool calls an assistant turn made.</param>
/// <param name="ToolCallId">For a tool message: the call it answers.</param>
/// <param name="CacheControl">
/// A <c>cache_control</c> set on the message itself (LiteLLM's form for string content): it marks the message's
/// last block as a prompt-caching breakpoint.
/// </param>
public sealed record ChatMessage(
    string Role, IReadOnlyList<ContentPart> Parts, IReadOnlyList<OpenAiToolCall> ToolCalls, string? ToolCallId,
    JsonElement? CacheControl = null)
{
    /// <summary>
    /// Where the message holds fields no translation reads (<c>messages[1].name</c>, an image's <c>detail</c>):
    /// each must be refused or dropped (<see cref="UnmappedFields.CheckMessages"/>), never ignored.
    /// </summary>
    public IReadOnlyList<string> UntranslatedFields { get; init; } = [];

    /// <summary>The text parts joined, for roles whose content the provider takes as plain text.</summary>
    public string Text => string.Concat(Parts.OfType<TextPart>().Select(p => p.Text));
}

public abstract record ContentPart
{
    /// <summary>The part's <c>cache_control</c> (Anthropic's prompt caching, as LiteLLM takes it on OpenAI parts), as sent.</summary>
    public JsonElement? CacheControl { get; init; }
}

public sealed record TextPart(string Text) : ContentPart;

/// <summary>
/// An image: a <c>data:</c> URL arrives split into its media type and base64 payload
/// (<see cref="IsInline"/>); any other URL is kept as it is.
/// </summary>
public sealed record ImagePart(string Url, string? MediaType, string? Base64Data) : ContentPart
{
    public bool IsInline => Base64Data is not null;
}

/// <summary>A function the model may call; <paramref name="Parameters"/> is its JSON Schema.</summary>
/// <param name="CacheControl">The tool's <c>cache_control</c> (on the tool or its function), as sent.</param>
public sealed record ToolDefinition(string Name, string? Description, JsonElement? Parameters, JsonElement? CacheControl = null);

/// <summary>OpenAI's <c>tool_choice</c>: auto, none, required, or one named function.</summary>
public sealed record ToolChoice(ToolChoiceMode Mode, string? FunctionName = null);

public enum ToolChoiceMode { Auto, None, Required, Function }
