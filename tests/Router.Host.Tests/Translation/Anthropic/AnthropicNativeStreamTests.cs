using System.Text;
using Router.Host.Streaming;
using Router.Host.Translation;
using Router.Host.Translation.Anthropic;

namespace Router.Host.Tests.Translation.Anthropic;

public sealed class AnthropicNativeStreamTests
{
    private static SseEvent Event(string name, string data) => SseEvent.Parse(Encoding.UTF8.GetBytes($"event: {name}\ndata: {data}\n\n"));

    [Fact]
    public void Every_event_passes_as_sent_and_the_usage_adds_cache_reads_and_writes_to_the_prompt()
    {
        var stream = new AnthropicNativeStream();
        var frames = new List<byte[]>();
        SseEvent[] events =
        [
            Event("message_start", """{"type":"message_start","message":{"usage":{"input_tokens":10,"cache_read_input_tokens":100,"cache_creation_input_tokens":20,"output_tokens":1}}}"""),
            Event("content_block_delta", """{"index":0,"type":"content_block_delta","delta":{"type":"citations_delta","citation":{}}}"""),
            Event("future_event", """{"type":"future_event"}"""),
            Event("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":42}}"""),
        ];
        foreach (var e in events) Assert.Equal(StreamSignal.Continue, stream.Accept(e, frames));
        var stop = Event("message_stop", """{"type":"message_stop"}""");
        Assert.Equal(StreamSignal.Finished, stream.Accept(stop, frames));

        Assert.Equal([.. events.Select(e => e.Raw), stop.Raw], frames);
        Assert.Equal((130, 42, 100, 20), (stream.Usage!.PromptTokens, stream.Usage.CompletionTokens, stream.Usage.CachedPromptTokens, stream.Usage.CacheWriteTokens));
    }

    [Fact]
    public void An_error_event_fails_the_stream_with_its_status_and_is_left_to_the_router_to_report()
    {
        var stream = new AnthropicNativeStream();
        var frames = new List<byte[]>();
        var signal = stream.Accept(Event("error", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"""), frames);
        Assert.Equal(StreamSignal.Failed, signal);
        Assert.Empty(frames);
        Assert.Equal(529, stream.Error!.Status);
    }

    [Fact]
    public void A_stream_that_closes_before_message_stop_was_cut()
    {
        var stream = new AnthropicNativeStream();
        stream.Accept(Event("message_start", """{"type":"message_start","message":{"usage":{"input_tokens":3}}}"""), []);
        Assert.Equal(StreamSignal.Failed, stream.End([]));
    }
}
