using System.Text;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;
using Router.Host.Translation;
using Router.Host.Translation.Responses;

namespace Router.Host.Tests.Translation.Responses;

/// <summary>Chat answers as Responses objects and event sequences, against OpenAI's Responses reference.</summary>
public sealed class ResponsesAnswerTests
{
    private static readonly ResponseContext Context = new("chatcmpl-abc", "m", 1_764_700_000, IncludeUsage: true);

    [Fact]
    public void A_completion_becomes_reasoning_message_and_function_call_items_with_the_usage()
    {
        var completion = """
            {"id":"chatcmpl-abc","object":"chat.completion","created":1,"model":"m-2025","choices":[{"index":0,"finish_reason":"tool_calls",
             "message":{"role":"assistant","content":"Checking.","reasoning_content":"Think.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]}}]}
            """;
        var body = JsonNode.Parse(ResponsesAnswer.FromCompletion(Encoding.UTF8.GetBytes(completion), new TokenUsage(10, 5, 2, 0, 1), Context))!;

        Assert.Equal("resp_abc", body["id"]!.GetValue<string>());
        Assert.Equal("response", body["object"]!.GetValue<string>());
        Assert.Equal("completed", body["status"]!.GetValue<string>());
        Assert.Equal("m-2025", body["model"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"reasoning","id":"rs_abc_0","summary":[{"type":"summary_text","text":"Think."}]},
             {"type":"message","id":"msg_abc_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Checking.","annotations":[]}]},
             {"type":"function_call","id":"fc_abc_2","call_id":"call_1","name":"f","arguments":"{}","status":"completed"}]
            """), body["output"]), body["output"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"input_tokens":10,"input_tokens_details":{"cached_tokens":2},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":1},"total_tokens":15}
            """), body["usage"]));
    }

    [Fact]
    public void A_completion_cut_by_length_is_incomplete_with_its_reason()
    {
        var completion = """{"id":"chatcmpl-abc","model":"m","choices":[{"index":0,"finish_reason":"length","message":{"role":"assistant","content":"Cut"}}]}""";
        var body = JsonNode.Parse(ResponsesAnswer.FromCompletion(Encoding.UTF8.GetBytes(completion), null, Context))!;
        Assert.Equal("incomplete", body["status"]!.GetValue<string>());
        Assert.Equal("max_output_tokens", body["incomplete_details"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public void A_chunk_stream_becomes_the_Responses_event_sequence_numbered_from_zero()
    {
        var translator = new ResponsesStreamTranslator(Context);
        var events = new List<byte[]>();
        foreach (var chunk in new[]
                 {
                     """{"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}""",
                     """{"model":"m","choices":[{"index":0,"delta":{"content":"Hel"}}]}""",
                     """{"model":"m","choices":[{"index":0,"delta":{"content":"lo"}}]}""",
                     """{"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":"{\"a\""}}]}}]}""",
                     """{"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]}}]}""",
                     """{"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
                     """{"model":"m","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}""",
                     "[DONE]",
                 })
            translator.Accept(Encoding.UTF8.GetBytes(chunk), events);

        var parsed = events.Select(e => Encoding.UTF8.GetString(e)).Select(e => (Type: e[7..e.IndexOf('\n')], Data: JsonNode.Parse(e[(e.IndexOf("data: ") + 6)..])!)).ToList();
        Assert.Equal(
        [
            "response.created", "response.in_progress",
            "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
            "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
            "response.function_call_arguments.done", "response.output_item.done",
            "response.completed",
        ], parsed.Select(p => p.Type));
        Assert.Equal(Enumerable.Range(0, parsed.Count), parsed.Select(p => p.Data["sequence_number"]!.GetValue<int>()));
        Assert.All(parsed, p => Assert.Equal(p.Type, p.Data["type"]!.GetValue<string>()));
        Assert.Equal("Hello", parsed[6].Data["text"]!.GetValue<string>());
        Assert.Equal("{\"a\":1}", parsed[12].Data["arguments"]!.GetValue<string>());
        var completed = parsed[^1].Data["response"]!;
        Assert.Equal(2, completed["output"]!.AsArray().Count);
        Assert.Equal(7, completed["usage"]!["input_tokens"]!.GetValue<int>());
        Assert.True(translator.Finished);
    }
}
