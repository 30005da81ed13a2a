using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Translation;
using Router.Host.Translation.Anthropic;
using static Router.Host.Tests.Translation.Anthropic.AnthropicTestKit;

namespace Router.Host.Tests.Translation.Anthropic;

/// <summary>The event streams of Anthropic's streaming reference and the OpenAI chunks they must become.</summary>
public sealed class AnthropicStreamTests
{
    private const string Model = "claude-sonnet-4-5-20250929";

    // "Basic streaming request" of the reference, as sent.
    private const string BasicStream = """
        event: message_start
        data: {"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}

        event: content_block_start
        data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}

        event: content_block_delta
        data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}}

        event: content_block_stop
        data: {"type": "content_block_stop", "index": 0}

        event: message_delta
        data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}

        event: message_stop
        data: {"type": "message_stop"}
        """;

    private static AnthropicStreamTranslator Translator(bool includeUsage) => new(Response(includeUsage));

    [Fact]
    public void The_basic_stream_becomes_role_content_finish_usage_and_done()
    {
        var translator = Translator(includeUsage: true);

        var (frames, signals) = Feed(translator, BasicStream);

        AssertFrames(
            [
                Delta(Model, """{"role":"assistant","content":""}"""),
                Delta(Model, """{"content":"Hello"}"""),
                Delta(Model, """{"content":"!"}"""),
                Finish(Model, "stop"),
                UsageChunk(Model, 25, 15),
                "[DONE]",
            ],
            frames);
        Assert.Equal([.. Enumerable.Repeat(StreamSignal.Continue, 7), StreamSignal.Finished], signals);
        Assert.Equal(new TokenUsage(25, 15, 0), translator.Usage);
        Assert.Null(translator.Error);
        Assert.Equal(StreamSignal.Finished, translator.End([]));
    }

    [Fact]
    public void Without_include_usage_no_usage_chunk_is_sent_but_usage_is_still_known()
    {
        var translator = Translator(includeUsage: false);

        var (frames, _) = Feed(translator, BasicStream);

        AssertFrames(
            [
                Delta(Model, """{"role":"assistant","content":""}"""),
                Delta(Model, """{"content":"Hello"}"""),
                Delta(Model, """{"content":"!"}"""),
                Finish(Model, "stop"),
                "[DONE]",
            ],
            frames);
        Assert.Equal(new TokenUsage(25, 15, 0), translator.Usage);
    }

    [Fact]
    public void The_tool_use_stream_becomes_text_then_one_tool_call_with_its_arguments_in_pieces()
    {
        string[] text = ["Okay", ",", " let", "'s", " check", " the", " weather", " for", " San", " Francisco", ",", " CA", ":"];
        string[] arguments = ["{\"location\":", " \"San", " Francisc", "o,", " CA\"", ", ", "\"unit\": \"fah", "renheit\"}"];
        var sse = new StringBuilder();
        Event(sse, """{"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}""");
        Event(sse, """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
        Event(sse, """{"type": "ping"}""");
        foreach (var piece in text)
            Event(sse, $$$$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":{{{{JsonSerializer.Serialize(piece)}}}}}}""");
        Event(sse, """{"type":"content_block_stop","index":0}""");
        Event(sse, """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}""");
        Event(sse, """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}""");
        foreach (var piece in arguments)
            Event(sse, $$$$"""{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":{{{{JsonSerializer.Serialize(piece)}}}}}}""");
        Event(sse, """{"type":"content_block_stop","index":1}""");
        Event(sse, """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}""");
        Event(sse, """{"type":"message_stop"}""");
        var translator = Translator(includeUsage: true);

        var (frames, signals) = Feed(translator, sse.ToString());

        List<string> expected = [Delta(Model, """{"role":"assistant","content":""}""")];
        expected.AddRange(text.Select(piece => Delta(Model, $$$$"""{"content":{{{{JsonSerializer.Serialize(piece)}}}}}""")));
        expected.Add(Delta(Model, """{"tool_calls":[{"index":0,"id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","type":"function","function":{"name":"get_weather","arguments":""}}]}"""));
        expected.AddRange(arguments.Select(piece =>
            Delta(Model, $$$$"""{"tool_calls":[{"index":0,"function":{"arguments":{{{{JsonSerializer.Serialize(piece)}}}}}}]}""")));
        expected.Add(Finish(Model, "tool_calls"));
        expected.Add(UsageChunk(Model, 472, 89));
        expected.Add("[DONE]");
        AssertFrames(expected, frames);
        Assert.Equal(StreamSignal.Finished, signals[^1]);
        Assert.Equal("{\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}", string.Concat(arguments));
    }

    [Fact]
    public void Parallel_tool_blocks_are_numbered_from_zero_by_tool_not_by_block()
    {
        var sse = new StringBuilder();
        Event(sse, """{"type":"message_start","message":{"model":"m","usage":{"input_tokens":5,"output_tokens":1}}}""");
        Event(sse, """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
        Event(sse, """{"type":"content_block_stop","index":0}""");
        Event(sse, """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_a","name":"a","input":{}}}""");
        Event(sse, """{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_b","name":"b","input":{}}}""");
        Event(sse, """{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}""");
        Event(sse, """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"x\":1}"}}""");
        var (frames, _) = Feed(Translator(false), sse.ToString());

        AssertFrames(
            [
                Delta("m", """{"role":"assistant","content":""}"""),
                Delta("m", """{"tool_calls":[{"index":0,"id":"toolu_a","type":"function","function":{"name":"a","arguments":""}}]}"""),
                Delta("m", """{"tool_calls":[{"index":1,"id":"toolu_b","type":"function","function":{"name":"b","arguments":""}}]}"""),
                Delta("m", """{"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]}"""),
                Delta("m", """{"tool_calls":[{"index":0,"function":{"arguments":"{\"x\":1}"}}]}"""),
            ],
            frames);
    }

    [Fact]
    public void Thinking_deltas_become_reasoning_and_signatures_are_dropped()
    {
        var sse = new StringBuilder();
        Event(sse, """{"type": "message_start", "message": {"id": "msg_01", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null}}""");
        Event(sse, """{"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}}""");
        Event(sse, """{"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Let me solve this step by step:\n\n1. First break down 27 * 453"}}""");
        Event(sse, """{"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."}}""");
        Event(sse, """{"type": "content_block_stop", "index": 0}""");
        Event(sse, """{"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}""");
        Event(sse, """{"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "27 * 453 = 12,231"}}""");
        Event(sse, """{"type": "content_block_stop", "index": 1}""");
        Event(sse, """{"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}}""");
        Event(sse, """{"type": "message_stop"}""");
        var translator = Translator(includeUsage: true);

        var (frames, _) = Feed(translator, sse.ToString());

        AssertFrames(
            [
                Delta(Model, """{"role":"assistant","content":""}"""),
                Delta(Model, """{"reasoning_content":"Let me solve this step by step:\n\n1. First break down 27 * 453"}"""),
                Delta(Model, """{"content":"27 * 453 = 12,231"}"""),
                Finish(Model, "stop"),
                UsageChunk(Model, 0, 0),
                "[DONE]",
            ],
            frames);
    }

    [Fact]
    public void Cache_usage_of_message_start_and_cumulative_output_of_message_delta_make_the_usage()
    {
        var sse = new StringBuilder();
        Event(sse, """{"type":"message_start","message":{"model":"m","usage":{"input_tokens":29,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":2}}}""");
        Event(sse, """{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"input_tokens":0,"output_tokens":40}}""");
        Event(sse, """{"type":"message_delta","delta":{},"usage":{"output_tokens":41}}""");
        Event(sse, """{"type":"message_stop"}""");
        var translator = Translator(includeUsage: true);

        var (frames, _) = Feed(translator, sse.ToString());

        Assert.Equal(new TokenUsage(2129, 41, 2000, 100), translator.Usage);
        AssertFrames(
            [
                Delta("m", """{"role":"assistant","content":""}"""),
                Finish("m", "length"),
                """{"id":"chatcmpl-test","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[],"usage":{"prompt_tokens":2129,"completion_tokens":41,"total_tokens":2170,"prompt_tokens_details":{"cached_tokens":2000},"completion_tokens_details":{"reasoning_tokens":0},"cache_creation_input_tokens":100}}""",
                "[DONE]",
            ],
            frames);
    }

    [Theory]
    [InlineData("overloaded_error", 529)]
    [InlineData("rate_limit_error", 429)]
    [InlineData("invalid_request_error", 400)]
    [InlineData("authentication_error", 401)]
    [InlineData("permission_error", 403)]
    [InlineData("not_found_error", 404)]
    [InlineData("request_too_large", 413)]
    [InlineData("api_error", 500)]
    [InlineData("something_new", 502)]
    public void An_error_event_mid_stream_fails_with_its_status_and_payload(string type, int status)
    {
        var error = $$$$"""{"type": "error", "error": {"type": "{{{{type}}}}", "message": "Overloaded"}}""";
        var sse = new StringBuilder();
        Event(sse, """{"type":"message_start","message":{"model":"m","usage":{"input_tokens":3,"output_tokens":1}}}""");
        Event(sse, """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
        Event(sse, """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}""");
        sse.Append("event: error\ndata: ").Append(error).Append("\n\n");
        var translator = Translator(includeUsage: true);

        var (frames, signals) = Feed(translator, sse.ToString());

        Assert.Equal([StreamSignal.Continue, StreamSignal.Continue, StreamSignal.Continue, StreamSignal.Failed], signals);
        Assert.Equal(2, frames.Count); // role and "Hel"; no finish, no [DONE]
        Assert.Equal(status, translator.Error!.Status);
        Assert.Equal(error, Encoding.UTF8.GetString(translator.Error.Payload));
        Assert.Equal(StreamSignal.Failed, translator.End(frames));
        Assert.Equal(2, frames.Count);
    }

    [Fact]
    public void A_stream_that_ends_before_message_stop_fails_without_a_provider_error()
    {
        var translator = Translator(includeUsage: true);
        var cut = BasicStream[..BasicStream.IndexOf("event: message_delta", StringComparison.Ordinal)];
        var (frames, signals) = Feed(translator, cut);
        var count = frames.Count;

        Assert.All(signals, s => Assert.Equal(StreamSignal.Continue, s));
        Assert.Equal(StreamSignal.Failed, translator.End(frames));
        Assert.Null(translator.Error);
        Assert.Equal(count, frames.Count);
        Assert.DoesNotContain(frames, f => f.SequenceEqual(OpenAiChunks.Done));
        Assert.Equal(new TokenUsage(25, 1, 0), translator.Usage);
    }

    [Fact]
    public void Pings_unknown_events_and_unknown_deltas_send_nothing()
    {
        var sse = new StringBuilder();
        Event(sse, """{"type": "ping"}""");
        Event(sse, """{"type": "content_block_start", "index": 0, "content_block": {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}}""");
        Event(sse, """{"type": "content_block_delta", "index": 0, "delta": {"type": "citations_delta", "citation": {"type": "web_search_result_location"}}}""");
        Event(sse, """{"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{\"query\""}}""");
        Event(sse, """{"type": "brand_new_event", "x": 1}""");
        sse.Append(": a comment\n\n");
        var translator = Translator(includeUsage: false);

        var (frames, signals) = Feed(translator, sse.ToString());

        Assert.Empty(frames);
        Assert.All(signals, s => Assert.Equal(StreamSignal.Continue, s));
        Assert.Null(translator.Usage);
    }

    private static void Event(StringBuilder sse, string data)
    {
        var type = JsonDocument.Parse(data).RootElement.GetProperty("type").GetString();
        sse.Append("event: ").Append(type).Append("\ndata: ").Append(data).Append("\n\n");
    }
}
