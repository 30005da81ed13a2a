using System.Text;
using Router.Contracts.Wire;
using Router.Host.Translation;
using static Router.Host.Tests.Translation.Gemini.GeminiTestKit;

namespace Router.Host.Tests.Translation.Gemini;

/// <summary><c>streamGenerateContent?alt=sse</c> events as OpenAI <c>chat.completion.chunk</c> frames.</summary>
public sealed class GeminiStreamTests
{
    private const string Head = """{"id":"chatcmpl-gem1","object":"chat.completion.chunk","created":1750000000,""";

    private static readonly string[] TextEvents =
    [
        """{"candidates":[{"content":{"parts":[{"text":"The"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":8,"totalTokenCount":8},"modelVersion":"gemini-2.5-flash-001","responseId":"r1"}""",
        """{"candidates":[{"content":{"parts":[{"text":" quick brown"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":8,"totalTokenCount":8},"modelVersion":"gemini-2.5-flash-001","responseId":"r1"}""",
        """{"candidates":[{"content":{"parts":[{"text":" fox."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":4,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash-001","responseId":"r1"}""",
    ];

    [Fact]
    public void A_text_stream_becomes_role_content_and_finish_chunks_then_done()
    {
        var (frames, signal, translator) = Stream(includeUsage: false, TextEvents);

        Assert.Equal(StreamSignal.Finished, signal);
        AssertFrames($$$"""
            [{{{Head}}}"model":"gemini-2.5-flash-001","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]},
             {{{Head}}}"model":"gemini-2.5-flash-001","choices":[{"index":0,"delta":{"content":"The"},"logprobs":null,"finish_reason":null}]},
             {{{Head}}}"model":"gemini-2.5-flash-001","choices":[{"index":0,"delta":{"content":" quick brown"},"logprobs":null,"finish_reason":null}]},
             {{{Head}}}"model":"gemini-2.5-flash-001","choices":[{"index":0,"delta":{"content":" fox."},"logprobs":null,"finish_reason":null}]},
             {{{Head}}}"model":"gemini-2.5-flash-001","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]},
             "[DONE]"]
            """, frames);
        Assert.Equal(new TokenUsage(8, 4, 0), translator.Usage);
    }

    [Fact]
    public void With_include_usage_the_usage_chunk_comes_before_done()
    {
        var (frames, signal, _) = Stream(includeUsage: true, TextEvents);

        Assert.Equal(StreamSignal.Finished, signal);
        var payloads = Payloads(frames);
        Assert.Equal(7, payloads.Count);
        AssertJson($$$"""
            {{{Head}}}"model":"gemini-2.5-flash-001","choices":[],
             "usage":{"prompt_tokens":8,"completion_tokens":4,"total_tokens":12,
               "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}} }
            """, payloads[5]);
        Assert.Equal("[DONE]", (string?)payloads[6]);
    }

    [Fact]
    public void A_function_call_stream_becomes_whole_tool_call_chunks_counted_per_choice_across_events()
    {
        var (frames, signal, translator) = Stream(includeUsage: false,
            """{"candidates":[{"content":{"parts":[{"text":"Thinking about the weather","thought":true}],"role":"model"},"index":0}],"modelVersion":"gemini-2.5-pro"}""",
            """{"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"c2ln"}],"role":"model"},"index":0}],"modelVersion":"gemini-2.5-pro"}""",
            """{"candidates":[{"content":{"parts":[{"functionCall":{"id":"fc-2","name":"get_time","args":{}}},{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":30,"candidatesTokenCount":10,"thoughtsTokenCount":6,"totalTokenCount":46},"modelVersion":"gemini-2.5-pro"}""");

        Assert.Equal(StreamSignal.Finished, signal);
        AssertFrames($$$"""
            [{{{Head}}}"model":"gemini-2.5-pro","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]},
             {{{Head}}}"model":"gemini-2.5-pro","choices":[{"index":0,"delta":{"reasoning_content":"Thinking about the weather"},"logprobs":null,"finish_reason":null}]},
             {{{Head}}}"model":"gemini-2.5-pro","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_gem1_0_0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"logprobs":null,"finish_reason":null}]},
             {{{Head}}}"model":"gemini-2.5-pro","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"fc-2","type":"function","function":{"name":"get_time","arguments":"{}"}}]},"logprobs":null,"finish_reason":null}]},
             {{{Head}}}"model":"gemini-2.5-pro","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]},
             "[DONE]"]
            """, frames);
        Assert.Equal(new TokenUsage(30, 16, 0, 0, 6), translator.Usage);
    }

    [Fact]
    public void An_error_event_mid_stream_fails_with_its_code_as_status_and_its_payload()
    {
        const string error = """{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}""";

        var (frames, signal, translator) = Stream(includeUsage: true, TextEvents[0], TextEvents[1], error);

        Assert.Equal(StreamSignal.Failed, signal);
        Assert.Equal(3, frames.Count); // role and two content chunks, nothing closes the stream
        Assert.Equal(503, translator.Error!.Status);
        Assert.Equal(error, Encoding.UTF8.GetString(translator.Error.Payload));
    }

    [Theory]
    [InlineData("""{"error":{"message":"boom","status":"INTERNAL"}}""")]
    [InlineData("""{"error":{"code":"INTERNAL","message":"boom"}}""")]
    [InlineData("""not json""")]
    public void An_error_event_without_an_http_code_stands_for_a_bad_gateway(string data)
    {
        var (_, signal, translator) = Stream(includeUsage: false, TextEvents[0], data);

        Assert.Equal(StreamSignal.Failed, signal);
        Assert.Equal(502, translator.Error!.Status);
    }

    [Fact]
    public void A_stream_that_ends_without_a_finish_reason_failed_without_an_error()
    {
        var (frames, signal, translator) = Stream(includeUsage: true, TextEvents[0], TextEvents[1]);

        Assert.Equal(StreamSignal.Failed, signal);
        Assert.Null(translator.Error);
        Assert.DoesNotContain(frames, f => f.Contains("[DONE]"));
    }

    [Fact]
    public void A_blocked_prompt_in_a_stream_is_a_content_filter_finish()
    {
        var (frames, signal, translator) = Stream(includeUsage: false,
            """{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":12559,"totalTokenCount":12559},"modelVersion":"gemini-1.5-flash-002"}""");

        Assert.Equal(StreamSignal.Finished, signal);
        AssertFrames($$$"""
            [{{{Head}}}"model":"gemini-1.5-flash-002","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]},
             {{{Head}}}"model":"gemini-1.5-flash-002","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"content_filter","provider_finish_reason":"PROHIBITED_CONTENT"}]},
             "[DONE]"]
            """, frames);
        Assert.Equal(new TokenUsage(12559, 0, 0), translator.Usage);
    }

    [Fact]
    public void A_safety_stop_in_a_stream_keeps_the_reason_and_ratings_in_the_finish_chunk()
    {
        var (frames, signal, _) = Stream(includeUsage: false,
            """{"candidates":[{"content":{"parts":[{"text":"Here is"}],"role":"model"},"index":0}]}""",
            """{"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}]}""");

        Assert.Equal(StreamSignal.Finished, signal);
        AssertJson($$$"""
            {{{Head}}}"model":"gemini-2.5-flash","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"content_filter",
              "provider_finish_reason":"SAFETY","safety_ratings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}]}
            """, Payloads(frames)[2]);
    }

    [Fact]
    public void Every_candidate_must_finish_before_the_stream_is_complete()
    {
        var (_, signal, _) = Stream(includeUsage: false,
            """{"candidates":[{"content":{"parts":[{"text":"A"}],"role":"model"},"finishReason":"STOP","index":0},{"content":{"parts":[{"text":"B"}],"role":"model"},"index":1}]}""");

        Assert.Equal(StreamSignal.Failed, signal);
    }

    [Fact]
    public void Events_without_data_are_skipped()
    {
        var translator = Dialect.CreateStreamTranslator(Context());
        var frames = new List<byte[]>();

        var signal = translator.Accept(Router.Host.Streaming.SseEvent.Parse(": keep-alive\r\n\r\n"u8.ToArray()), frames);

        Assert.Equal(StreamSignal.Continue, signal);
        Assert.Empty(frames);
    }
}
