using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation;

/// <summary>
/// Builds the SSE frames of an OpenAI <c>chat.completion.chunk</c> stream, as OpenAI sends them: a role
/// chunk first, content and tool-call deltas, a chunk carrying <c>finish_reason</c>, the usage chunk
/// with empty <c>choices</c> when the client asked for it, then <c>[DONE]</c>.
/// </summary>
public sealed class OpenAiChunks(ResponseContext response)
{
    public static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    /// <summary>The model to name in each chunk; a translator sets it once the provider names the model that answers.</summary>
    public string Model { get; set; } = response.Model;

    public ResponseContext Response => response;

    /// <summary>Sent in each chunk when set, as OpenAI does (a cached answer's replay keeps the original's).</summary>
    public string? SystemFingerprint { get; set; }

    /// <param name="nullContent">An answer of tool calls only: OpenAI's role chunk then says <c>"content": null</c>.</param>
    public byte[] Role(int choice = 0, bool nullContent = false) => Delta(choice, json =>
    {
        json.WriteString("role", "assistant");
        if (nullContent) json.WriteNull("content");
        else json.WriteString("content", "");
    });

    /// <param name="logprobs">Writes the <c>logprobs</c> of the tokens of <paramref name="text"/>, when the client asked for them.</param>
    public byte[] Content(string text, int choice = 0, Action<Utf8JsonWriter>? logprobs = null) =>
        Delta(choice, json => json.WriteString("content", text), logprobs);

    public byte[] Refusal(string text, int choice = 0) => Delta(choice, json => json.WriteString("refusal", text));

    /// <summary>Model reasoning (Anthropic thinking, Gemini thoughts) under <c>reasoning_content</c>, the field OpenAI-compatible servers use.</summary>
    public byte[] Reasoning(string text, int choice = 0) => Delta(choice, json => json.WriteString("reasoning_content", text));

    /// <summary>Opens tool call <paramref name="index"/> of a choice: its id and name, and arguments when they come whole.</summary>
    public byte[] ToolCallStart(int index, string id, string name, string arguments = "", int choice = 0) => Delta(choice, json =>
    {
        json.WriteStartArray("tool_calls");
        ChatToolCall.Write(json, id, name, arguments, index);
        json.WriteEndArray();
    });

    /// <summary>The next piece of tool call <paramref name="index"/>'s arguments (a JSON text streamed in parts).</summary>
    public byte[] ToolCallArguments(int index, string partialJson, int choice = 0) => Delta(choice, json =>
    {
        json.WriteStartArray("tool_calls");
        json.WriteStartObject();
        json.WriteNumber("index", index);
        json.WriteStartObject("function");
        json.WriteString("arguments", partialJson);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
    });

    /// <summary>
    /// The chunk that ends a choice. <paramref name="details"/> writes extra properties into the choice,
    /// e.g. the provider's own reason for a content filter stop.
    /// </summary>
    public byte[] Finish(string finishReason, int choice = 0, Action<Utf8JsonWriter>? details = null) =>
        Chunk(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("index", choice);
            json.WriteStartObject("delta");
            json.WriteEndObject();
            json.WriteNull("logprobs");
            json.WriteString("finish_reason", finishReason);
            details?.Invoke(json);
            json.WriteEndObject();
        });

    /// <summary>The usage chunk of <c>include_usage</c>: empty <c>choices</c> and the totals.</summary>
    public byte[] Usage(TokenUsage usage) => Chunk(_ => { }, usage);

    /// <summary>The closing frames: the usage chunk when the client asked for it, then <c>[DONE]</c>.</summary>
    public void Close(List<byte[]> frames, TokenUsage? usage)
    {
        if (response.IncludeUsage) frames.Add(Usage(usage ?? TokenUsage.None));
        frames.Add(Done);
    }

    private byte[] Delta(int choice, Action<Utf8JsonWriter> writeDelta, Action<Utf8JsonWriter>? logprobs = null) => Chunk(json =>
    {
        json.WriteStartObject();
        json.WriteNumber("index", choice);
        json.WriteStartObject("delta");
        writeDelta(json);
        json.WriteEndObject();
        json.WritePropertyName("logprobs");
        if (logprobs is not null) logprobs(json);
        else json.WriteNullValue();
        json.WriteNull("finish_reason");
        json.WriteEndObject();
    });

    private byte[] Chunk(Action<Utf8JsonWriter> writeChoices, TokenUsage? usage = null) => TranslationJson.WriteEvent(json =>
    {
        json.WriteStartObject();
        json.WriteString("id", response.Id);
        json.WriteString("object", "chat.completion.chunk");
        json.WriteNumber("created", response.Created);
        json.WriteString("model", Model);
        if (SystemFingerprint is not null) json.WriteString("system_fingerprint", SystemFingerprint);
        json.WriteStartArray("choices");
        writeChoices(json);
        json.WriteEndArray();
        if (usage is not null) OpenAiUsage.Write(json, usage);
        json.WriteEndObject();
    });
}
