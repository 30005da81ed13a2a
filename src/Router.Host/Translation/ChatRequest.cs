using System.Text.Json;

namespace Router.Host.Translation;

/// <summary>One message of an OpenAI chat request, read into the parts a translator needs.</summary>
/// <param name="Role">system, developer, user, assistant or tool.</param>
/// <param name="Parts">Its content; empty when an assistant turn carries only tool calls.</param>
/// <param name="ToolCalls">The tool calls an assistant turn made.</param>
/// <param name="ToolCallId">For a tool message: the call it answers.</param>
public sealed record ChatMessage(
    string Role, IReadOnlyList<ContentPart> Parts, IReadOnlyList<OpenAiToolCall> ToolCalls, string? ToolCallId)
{
    /// <summary>The text parts joined, for roles whose content the provider takes as plain text.</summary>
    public string Text => string.Concat(Parts.OfType<TextPart>().Select(p => p.Text));
}

public abstract record ContentPart;

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
public sealed record ToolDefinition(string Name, string? Description, JsonElement? Parameters);

/// <summary>OpenAI's <c>tool_choice</c>: auto, none, required, or one named function.</summary>
public sealed record ToolChoice(ToolChoiceMode Mode, string? FunctionName = null);

public enum ToolChoiceMode { Auto, None, Required, Function }
