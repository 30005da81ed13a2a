using System.Text;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;
using Router.Host.Providers;
using Router.Host.Streaming;
using Router.Host.Translation;
using Router.Host.Translation.OpenAi;

namespace Router.Host.Tests.Translation.OpenAi;

public sealed class OpenAiStreamTranslatorTests
{
    private static SseEvent Event(string data) => SseEvent.Parse(Encoding.UTF8.GetBytes($"data: {data}\n\n"));

    private static (StreamSignal Signal, List<byte[]> Frames, OpenAiStreamTranslator Translator) Accept(string data, bool clientWantsUsage = false)
    {
        var translator = new OpenAiStreamTranslator(clientWantsUsage);
        var frames = new List<byte[]>();
        return (translator.Accept(Event(data), frames), frames, translator);
    }

    [Fact]
    public void A_content_chunk_passes_as_the_providers_bytes()
    {
        const string data = """{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}]}""";

        var (signal, frames, _) = Accept(data);

        Assert.Equal(StreamSignal.Continue, signal);
        Assert.Equal($"data: {data}\n\n", Encoding.UTF8.GetString(Assert.Single(frames)));
    }

    [Fact]
    public void Done_finishes_and_is_passed_on()
    {
        var (signal, frames, _) = Accept("[DONE]");

        Assert.Equal(StreamSignal.Finished, signal);
        Assert.Equal("data: [DONE]\n\n", Encoding.UTF8.GetString(Assert.Single(frames)));
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 1)]
    public void The_usage_chunk_is_recorded_and_reaches_only_a_client_that_asked(bool clientWantsUsage, int framesSent)
    {
        var (signal, frames, translator) = Accept("""{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":5}}""", clientWantsUsage);

        Assert.Equal(StreamSignal.Continue, signal);
        Assert.Equal(framesSent, frames.Count);
        Assert.Equal(new TokenUsage(12, 5, 0), translator.Usage);
    }

    [Fact]
    public void A_stream_that_closes_without_done_has_failed()
    {
        var translator = new OpenAiStreamTranslator(false);
        var frames = new List<byte[]>();

        Assert.Equal(StreamSignal.Failed, translator.End(frames));
        Assert.Null(translator.Error);
        Assert.Empty(frames);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(400)]
    [InlineData(599)]
    public void An_error_event_whose_code_is_an_HTTP_error_status_stands_for_that_status(int code)
    {
        var (signal, frames, translator) = Accept($$$"""{"error":{"message":"m","code":{{{code}}}}}""");

        Assert.Equal(StreamSignal.Failed, signal);
        Assert.Empty(frames);
        Assert.Equal(code, translator.Error!.Status);
    }

    [Theory]
    [InlineData("""{"error":{"message":"m","code":"rate_limit_exceeded"}}""")]
    [InlineData("""{"error":{"message":"m","code":"429"}}""")]
    [InlineData("""{"error":{"message":"m","code":200}}""")]
    [InlineData("""{"error":{"message":"m","code":1000}}""")]
    [InlineData("""{"error":{"message":"m"}}""")]
    [InlineData("""{"error":"plain text"}""")]
    public void Any_other_error_event_stands_for_502(string data) => Assert.Equal(502, Accept(data).Translator.Error!.Status);

    [Fact]
    public void The_error_event_is_described_like_a_response_and_kept_unchanged()
    {
        const string data = """{"id":"gen-1","error":{"message":"Provider returned error","code":502,"metadata":{"raw":"upstream timeout"}}}""";
        var streamError = Accept(data).Translator.Error!;

        var error = ProviderErrors.FromResponse(streamError.Status, streamError.Payload, "openrouter", "openrouter:*");

        Assert.Equal("Provider returned error", error.Body.Message);
        Assert.Equal(ErrorOrigin.Provider, error.Body.Origin);
        Assert.Equal(("openrouter", "openrouter:*"), (error.Body.Provider, error.Body.Deployment));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(data), JsonNode.Parse(error.Body.UpstreamBody!.Value.GetRawText())));
    }
}
