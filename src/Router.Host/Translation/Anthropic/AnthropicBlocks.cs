using System.Text.Json;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// One content block of a Messages API request. <see cref="CacheControl"/> is the prompt-caching breakpoint a
/// client put on the part (or message, or tool) it comes from, written on the block as Anthropic takes it.
/// </summary>
internal abstract record AnthropicBlock
{
    public JsonElement? CacheControl { get; init; }

    public abstract void Write(Utf8JsonWriter json);

    protected void WriteCacheControl(Utf8JsonWriter json)
    {
        if (CacheControl is not { } cache) return;
        json.WritePropertyName("cache_control");
        cache.WriteTo(json);
    }

    /// <summary>
    /// Text and image parts as blocks; empty text is left out, as Anthropic refuses it. A message-level
    /// <c>cache_control</c> marks the message's last block, unless that part carries its own.
    /// </summary>
    public static List<AnthropicBlock> Parts(IReadOnlyList<ContentPart> parts, JsonElement? messageCache = null)
    {
        var blocks = new List<AnthropicBlock>(parts.Count);
        foreach (var part in parts)
        {
            switch (part)
            {
                case TextPart { Text.Length: > 0 } text:
                    blocks.Add(new AnthropicText(text.Text) { CacheControl = text.CacheControl });
                    break;
                case ImagePart image:
                    blocks.Add(new AnthropicImage(image) { CacheControl = image.CacheControl });
                    break;
            }
        }
        if (messageCache is not null && blocks.Count > 0 && blocks[^1].CacheControl is null)
            blocks[^1] = blocks[^1] with { CacheControl = messageCache };
        return blocks;
    }
}

internal sealed record AnthropicText(string Value) : AnthropicBlock
{
    public override void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("type", "text");
        json.WriteString("text", Value);
        WriteCacheControl(json);
        json.WriteEndObject();
    }
}

internal sealed record AnthropicImage(ImagePart Part) : AnthropicBlock
{
    public override void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("type", "image");
        json.WriteStartObject("source");
        if (Part.IsInline)
        {
            json.WriteString("type", "base64");
            json.WriteString("media_type", Part.MediaType);
            json.WriteString("data", Part.Base64Data);
        }
        else
        {
            json.WriteString("type", "url");
            json.WriteString("url", Part.Url);
        }
        json.WriteEndObject();
        WriteCacheControl(json);
        json.WriteEndObject();
    }
}

internal sealed record AnthropicToolUse(OpenAiToolCall Call) : AnthropicBlock
{
    // Parsed when the turn is read, so malformed arguments are refused before anything is written.
    private readonly JsonElement _input = ChatRequestReader.ArgumentsObject(Call);

    public override void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("type", "tool_use");
        json.WriteString("id", Call.Id);
        json.WriteString("name", Call.Name);
        json.WritePropertyName("input");
        _input.WriteTo(json);
        WriteCacheControl(json);
        json.WriteEndObject();
    }
}

/// <summary>
/// A tool message's answer: its text as the content, or text and image blocks when it holds images. A
/// <c>cache_control</c> on the message or on its parts marks the result block.
/// </summary>
internal sealed record AnthropicToolResult(ChatMessage Message) : AnthropicBlock
{
    public static AnthropicToolResult Of(ChatMessage message) =>
        new(message) { CacheControl = message.CacheControl ?? message.Parts.LastOrDefault(p => p.CacheControl is not null)?.CacheControl };

    public override void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("type", "tool_result");
        json.WriteString("tool_use_id", Message.ToolCallId);
        if (Message.Parts.Any(p => p is ImagePart))
        {
            json.WriteStartArray("content");
            foreach (var block in Parts(Message.Parts.Select(p => p with { CacheControl = null }).ToList())) block.Write(json);
            json.WriteEndArray();
        }
        else
        {
            json.WriteString("content", Message.Text);
        }
        WriteCacheControl(json);
        json.WriteEndObject();
    }
}
