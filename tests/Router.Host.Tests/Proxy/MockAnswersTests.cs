using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Caching;
using Router.Host.Proxy;
using Router.Host.Translation;

namespace Router.Host.Tests.Proxy;

/// <summary>The shapes of a mock_response answer: what an OpenAI client reads from a real one.</summary>
public sealed class MockAnswersTests
{
    private static readonly TokenUsage Usage = new(9, 2, 0);

    private static ResponseContext Answer(bool includeUsage = false) => new("chatcmpl-r1", "gpt-4o", 1_700_000_000, includeUsage);

    private static List<JsonElement> Events(IReadOnlyList<byte[]> frames)
    {
        Assert.Equal("data: [DONE]\n\n", Encoding.UTF8.GetString(frames[^1]));
        return frames.SkipLast(1).Select(f =>
        {
            var text = Encoding.UTF8.GetString(f);
            Assert.StartsWith("data: ", text);
            Assert.EndsWith("\n\n", text);
            return JsonDocument.Parse(text["data: ".Length..]).RootElement.Clone();
        }).ToList();
    }

    [Fact]
    public void A_chat_answer_is_a_chat_completion_with_the_text_and_the_usage()
    {
        var body = JsonDocument.Parse(MockAnswers.Body(ProxyOperation.ChatCompletions, Answer(), "pong é", Usage)).RootElement;

        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal("gpt-4o", body.GetProperty("model").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("pong é", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(11, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public void A_chat_stream_is_the_chunks_of_the_same_answer_and_ends_with_done()
    {
        var frames = MockAnswers.Frames(ProxyOperation.ChatCompletions, Answer(includeUsage: true), "pong", Usage);
        var events = Events(frames);

        Assert.All(events, e => Assert.Equal("chat.completion.chunk", e.GetProperty("object").GetString()));
        Assert.Equal("pong", string.Concat(events.SelectMany(e => e.GetProperty("choices").EnumerateArray())
            .Select(c => c.GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : "")));
        Assert.Equal(9, events[^1].GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        // The assembler the cache uses reads it back as the JSON answer's text.
        var assembler = new ChatStreamAssembler();
        foreach (var frame in frames) assembler.Add(frame);
        var assembled = JsonDocument.Parse(assembler.Complete(Usage)!).RootElement;
        Assert.Equal("pong", assembled.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        Assert.DoesNotContain(Events(MockAnswers.Frames(ProxyOperation.ChatCompletions, Answer(), "pong", Usage)), e => e.TryGetProperty("usage", out _));
    }

    [Fact]
    public void A_completion_answer_is_a_text_completion_as_json_and_as_a_stream()
    {
        var body = JsonDocument.Parse(MockAnswers.Body(ProxyOperation.Completions, Answer(), "done", Usage)).RootElement;
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.Equal("done", body.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(2, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        var events = Events(MockAnswers.Frames(ProxyOperation.Completions, Answer(includeUsage: true), "done", Usage));
        Assert.Equal("done", string.Concat(events.SelectMany(e => e.GetProperty("choices").EnumerateArray()).Select(c => c.GetProperty("text").GetString())));
        Assert.Equal("stop", events[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(0, events[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(11, events[^1].GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }
}
