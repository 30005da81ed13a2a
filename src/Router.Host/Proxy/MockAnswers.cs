using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Translation;

namespace Router.Host.Proxy;

/// <summary>
/// The answers <see cref="MockResponder"/> sends, in the shapes OpenAI gives: one choice holding the text, finished with
/// <c>stop</c>; as a stream, OpenAI's chunks (for chat: role, content, finish; for completions: the text, then the
/// finish), the usage chunk when the client asked for it, and <c>[DONE]</c>.
/// </summary>
public static class MockAnswers
{
    public static byte[] Body(ProxyOperation operation, ResponseContext answer, string text, TokenUsage usage)
    {
        if (operation == ProxyOperation.ChatCompletions)
            return OpenAiCompletion.Write(answer, answer.Model, [new OpenAiChoice { Content = text }], usage);
        return TranslationJson.Write(json =>
        {
            WriteCompletionHead(json, answer);
            json.WriteStartArray("choices");
            WriteCompletionChoice(json, text, "stop");
            json.WriteEndArray();
            OpenAiUsage.Write(json, usage);
            json.WriteEndObject();
        });
    }

    public static IReadOnlyList<byte[]> Frames(ProxyOperation operation, ResponseContext answer, string text, TokenUsage usage)
    {
        var frames = new List<byte[]>();
        if (operation == ProxyOperation.ChatCompletions)
        {
            var chunks = new OpenAiChunks(answer);
            frames.Add(chunks.Role());
            if (text.Length > 0) frames.Add(chunks.Content(text));
            frames.Add(chunks.Finish("stop"));
            chunks.Close(frames, usage);
            return frames;
        }
        frames.Add(CompletionChunk(answer, text, finishReason: null));
        frames.Add(CompletionChunk(answer, "", "stop"));
        if (answer.IncludeUsage)
            frames.Add(TranslationJson.WriteEvent(json =>
            {
                WriteCompletionHead(json, answer);
                json.WriteStartArray("choices");
                json.WriteEndArray();
                OpenAiUsage.Write(json, usage);
                json.WriteEndObject();
            }));
        frames.Add(OpenAiChunks.Done);
        return frames;
    }

    private static byte[] CompletionChunk(ResponseContext answer, string text, string? finishReason) => TranslationJson.WriteEvent(json =>
    {
        WriteCompletionHead(json, answer);
        json.WriteStartArray("choices");
        WriteCompletionChoice(json, text, finishReason);
        json.WriteEndArray();
        json.WriteEndObject();
    });

    private static void WriteCompletionHead(Utf8JsonWriter json, ResponseContext answer)
    {
        json.WriteStartObject();
        json.WriteString("id", answer.Id);
        json.WriteString("object", "text_completion");
        json.WriteNumber("created", answer.Created);
        json.WriteString("model", answer.Model);
    }

    private static void WriteCompletionChoice(Utf8JsonWriter json, string text, string? finishReason)
    {
        json.WriteStartObject();
        json.WriteString("text", text);
        json.WriteNumber("index", 0);
        json.WriteNull("logprobs");
        if (finishReason is null) json.WriteNull("finish_reason");
        else json.WriteString("finish_reason", finishReason);
        json.WriteEndObject();
    }
}
