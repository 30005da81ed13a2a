using System.Text;
using Router.Contracts.Wire;
using Router.Host.Translation.Anthropic;
using static Router.Host.Tests.Translation.Anthropic.AnthropicTestKit;

namespace Router.Host.Tests.Translation.Anthropic;

/// <summary>Messages API answers (examples of Anthropic's API reference) and the OpenAI completions they must become.</summary>
public sealed class AnthropicResponseTests
{
    private static Router.Host.Translation.TranslatedResponse Translate(string body) =>
        new AnthropicDialect(Settings()).TranslateResponse(Encoding.UTF8.GetBytes(body), Response());

    [Fact]
    public void A_text_answer_becomes_a_chat_completion_named_after_the_answering_model()
    {
        var translated = Translate("""
            {"content":[{"text":"Hi! My name is Claude.","type":"text"}],"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF",
             "model":"claude-sonnet-4-5-20250929","role":"assistant","stop_reason":"end_turn","stop_sequence":null,
             "type":"message","usage":{"input_tokens":2095,"output_tokens":503}}
            """);

        AssertJson("""
            {"id":"chatcmpl-test","object":"chat.completion","created":1700000000,"model":"claude-sonnet-4-5-20250929",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi! My name is Claude."},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":2095,"completion_tokens":503,"total_tokens":2598,
                      "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}
            """, translated.Body);
        Assert.Equal(new TokenUsage(2095, 503, 0), translated.Usage);
    }

    [Fact]
    public void Tool_use_blocks_become_tool_calls_with_their_input_as_arguments_text()
    {
        var translated = Translate("""
            {"id":"msg_01Aq9w938a90dw8q","model":"claude-sonnet-4-5","stop_reason":"tool_use","role":"assistant","type":"message",
             "content":[
               {"type":"text","text":"I'll check the current weather in San Francisco for you."},
               {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA", "unit": "celsius"}},
               {"type":"tool_use","id":"toolu_01B","name":"get_time","input":{}}],
             "usage":{"input_tokens":472,"output_tokens":89}}
            """);

        AssertJson("""
            {"id":"chatcmpl-test","object":"chat.completion","created":1700000000,"model":"claude-sonnet-4-5",
             "choices":[{"index":0,"message":{"role":"assistant","content":"I'll check the current weather in San Francisco for you.",
               "tool_calls":[
                 {"id":"toolu_01A09q90qw90lq917835lq9","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"}},
                 {"id":"toolu_01B","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
               "logprobs":null,"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":472,"completion_tokens":89,"total_tokens":561,
                      "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}
            """, translated.Body);
    }

    [Fact]
    public void Only_tool_calls_means_null_content()
    {
        var body = Translate("""
            {"type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_reason":"tool_use",
             "content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}}],"usage":{"input_tokens":1,"output_tokens":2}}
            """).Body;

        var message = System.Text.Json.Nodes.JsonNode.Parse(body)!["choices"]![0]!["message"]!;
        Assert.Null(message["content"]);
        Assert.True(message.AsObject().ContainsKey("content"));
    }

    [Fact]
    public void Thinking_becomes_reasoning_content_and_signatures_are_dropped()
    {
        var translated = Translate("""
            {"type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_reason":"end_turn",
             "content":[
               {"type":"thinking","thinking":"Let me analyze this step by step...","signature":"WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwyem2dw3URve/op91XWHOEBLLqIOMfFG/UvLEczmEsUjavL"},
               {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4a"},
               {"type":"text","text":"Based on my analysis..."}],
             "usage":{"input_tokens":10,"output_tokens":20}}
            """);

        var message = System.Text.Json.Nodes.JsonNode.Parse(translated.Body)!["choices"]![0]!["message"]!;
        AssertJson("""
            {"role":"assistant","content":"Based on my analysis...","reasoning_content":"Let me analyze this step by step..."}
            """, message.ToJsonString());
    }

    [Fact]
    public void Text_and_thinking_blocks_are_each_joined_in_order_and_one_without_text_adds_none()
    {
        var translated = Translate("""
            {"type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_reason":"end_turn",
             "content":[
               {"type":"thinking","thinking":"First, "},
               {"type":"text","text":"The answer "},
               {"type":"thinking","thinking":"then."},
               {"type":"text"},
               {"type":"text","text":"is 42."}],
             "usage":{"input_tokens":10,"output_tokens":20}}
            """);

        var message = System.Text.Json.Nodes.JsonNode.Parse(translated.Body)!["choices"]![0]!["message"]!;
        AssertJson("""{"role":"assistant","content":"The answer is 42.","reasoning_content":"First, then."}""", message.ToJsonString());
    }

    [Fact]
    public void A_text_block_without_text_is_empty_content_not_none()
    {
        var translated = Translate("""
            {"type":"message","role":"assistant","model":"m","stop_reason":"end_turn","content":[{"type":"text"}],"usage":{"input_tokens":1,"output_tokens":1}}
            """);

        Assert.Equal("", System.Text.Json.Nodes.JsonNode.Parse(translated.Body)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("pause_turn", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("tool_use", "tool_calls")]
    [InlineData("refusal", "content_filter")]
    public void Each_stop_reason_has_its_finish_reason(string stopReason, string finishReason)
    {
        var body = Translate($$$$"""
            {"type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_reason":"{{{{stopReason}}}}",
             "content":[{"type":"text","text":"x"}],"usage":{"input_tokens":1,"output_tokens":1}}
            """).Body;

        Assert.Equal(finishReason, System.Text.Json.Nodes.JsonNode.Parse(body)!["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public void Cache_reads_and_writes_count_as_prompt_tokens_and_are_reported_apart()
    {
        var translated = Translate("""
            {"type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_reason":"end_turn",
             "content":[{"type":"text","text":"ok"}],
             "usage":{"input_tokens":21,"cache_creation_input_tokens":188086,"cache_read_input_tokens":1500,"output_tokens":393}}
            """);

        Assert.Equal(new TokenUsage(189607, 393, 1500, 188086), translated.Usage);
        AssertJson("""
            {"prompt_tokens":189607,"completion_tokens":393,"total_tokens":190000,
             "prompt_tokens_details":{"cached_tokens":1500},"completion_tokens_details":{"reasoning_tokens":0},
             "cache_creation_input_tokens":188086}
            """, System.Text.Json.Nodes.JsonNode.Parse(translated.Body)!["usage"]!.ToJsonString());
    }

    [Fact]
    public void Without_a_model_in_the_answer_the_requested_one_is_named()
    {
        var body = Translate("""{"type":"message","role":"assistant","content":[],"stop_reason":"end_turn"}""").Body;

        var node = System.Text.Json.Nodes.JsonNode.Parse(body)!;
        Assert.Equal("requested-model", node["model"]!.GetValue<string>());
        Assert.Equal("", node["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Null(node["usage"]);
    }
}
