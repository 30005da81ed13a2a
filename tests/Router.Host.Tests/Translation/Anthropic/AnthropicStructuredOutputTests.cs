using System.Text;
using Router.Host.Http;
using Router.Host.Translation;
using Router.Host.Translation.Anthropic;
using static Router.Host.Tests.Translation.Anthropic.AnthropicTestKit;
using static Router.Host.Tests.Translation.Anthropic.AnthropicThinkingRequestTests;

namespace Router.Host.Tests.Translation.Anthropic;

/// <summary>
/// response_format as Anthropic's structured outputs (output_config.format) or its JSON-mode technique (a forced
/// tool), requests and answers; shapes from Anthropic's structured-outputs and tool-use references.
/// </summary>
public sealed class AnthropicStructuredOutputTests
{
    private const string Schema = """
        {"type":"object","properties":{"name":{"type":"string"},"email":{"type":"string"},"plan_interest":{"type":"string"},"demo_requested":{"type":"boolean"}},
         "required":["name","email","plan_interest","demo_requested"],"additionalProperties":false}
        """;

    private const string Extract = """[{"role":"user","content":"Extract the key information from this email: John Smith (john@example.com) is interested in our Enterprise plan and wants to schedule a demo for next Tuesday at 2pm."}]""";

    private const string AnthropicExtract = """[{"role":"user","content":[{"type":"text","text":"Extract the key information from this email: John Smith (john@example.com) is interested in our Enterprise plan and wants to schedule a demo for next Tuesday at 2pm."}]}]""";

    private static string JsonSchemaRequest => $$$$"""
        {"model":"c","messages":{{{{Extract}}}},"max_tokens":1024,
         "response_format":{"type":"json_schema","json_schema":{"name":"contact","strict":true,"schema":{{{{Schema}}}}}}}
        """;

    [Fact]
    public void A_json_schema_goes_natively_to_a_model_with_structured_outputs()
    {
        var call = BuildFor("claude-sonnet-4-5", JsonSchemaRequest);

        AssertJson($$$$"""
            {"model":"claude-sonnet-4-5","max_tokens":1024,"messages":{{{{AnthropicExtract}}}},
             "output_config":{"format":{"type":"json_schema","schema":{{{{Schema}}}}}}}
            """, call.Body);
        Assert.Null(call.ContentTool);
    }

    [Fact]
    public void An_older_model_is_forced_to_call_a_tool_whose_input_schema_is_the_wanted_json()
    {
        var call = BuildFor("claude-3-5-haiku-20241022", JsonSchemaRequest);

        AssertJson($$$$"""
            {"model":"claude-3-5-haiku-20241022","max_tokens":1024,"messages":{{{{AnthropicExtract}}}},
             "tools":[{"name":"json_tool_call","description":"Answer with the JSON this tool takes.","input_schema":{{{{Schema}}}}}],
             "tool_choice":{"type":"tool","name":"json_tool_call"}}
            """, call.Body);
        Assert.Equal("json_tool_call", call.ContentTool);
    }

    [Fact]
    public void Json_object_is_a_forced_tool_taking_any_object_whatever_the_model()
    {
        var call = BuildFor("claude-sonnet-4-5", $$$$"""{"model":"c","messages":{{{{Extract}}}},"max_tokens":1024,"response_format":{"type":"json_object"}}""");

        AssertJson($$$$"""
            {"model":"claude-sonnet-4-5","max_tokens":1024,"messages":{{{{AnthropicExtract}}}},
             "tools":[{"name":"json_tool_call","description":"Answer with the JSON this tool takes.","input_schema":{"type":"object","additionalProperties":true,"properties":{}}}],
             "tool_choice":{"type":"tool","name":"json_tool_call"}}
            """, call.Body);
    }

    [Fact]
    public void Text_asks_for_nothing()
    {
        var call = BuildFor("claude-sonnet-4-5", $$$$"""{"model":"c","messages":{{{{Extract}}}},"max_tokens":1024,"response_format":{"type":"text"}}""");

        AssertJson($$$$"""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":{{{{AnthropicExtract}}}}}""", call.Body);
    }

    [Theory]
    [InlineData(""","tools":[{"type":"function","function":{"name":"get_weather"}}]""")]
    [InlineData(""","reasoning_effort":"low","max_tokens":4000""")]
    public void A_forced_tool_that_cannot_be_combined_with_the_request_is_refused_naming_response_format(string extra)
    {
        var json = $$$$"""{"model":"c","messages":{{{{Extract}}}},"response_format":{"type":"json_object"}{{{{extra}}}}}""";
        var error = Assert.Throws<RouterError>(() => BuildFor("claude-3-5-haiku-20241022", json));

        Assert.Equal("response_format", error.Body.Param);
    }

    [Theory]
    [InlineData("""{"type":"json_schema"}""", "response_format.json_schema.schema")]
    [InlineData("""{"type":"xml"}""", "response_format.type")]
    [InlineData("\"json\"", "response_format")]
    public void A_malformed_response_format_is_refused_naming_the_field(string format, string param)
    {
        var error = Assert.Throws<RouterError>(() =>
            BuildFor("claude-sonnet-4-5", $$$$"""{"model":"c","messages":{{{{Extract}}}},"response_format":{{{{format}}}}}"""));

        Assert.Equal(param, error.Body.Param);
    }

    private static ResponseContext ForcedTool => Response() with { ContentTool = AnthropicStructuredOutput.ToolName };

    [Fact]
    public void The_forced_tools_input_is_the_answers_content_and_the_answer_stops()
    {
        var translated = new AnthropicDialect(Settings()).TranslateResponse(Encoding.UTF8.GetBytes("""
            {"id":"msg_01","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","stop_reason":"tool_use",
             "content":[{"type":"tool_use","id":"toolu_01","name":"json_tool_call","input":{"name":"John Smith","demo_requested":true}}],
             "usage":{"input_tokens":100,"output_tokens":20}}
            """), ForcedTool);

        AssertJson("""
            {"id":"chatcmpl-test","object":"chat.completion","created":1700000000,"model":"claude-3-5-haiku-20241022",
             "choices":[{"index":0,"message":{"role":"assistant","content":"{\"name\":\"John Smith\",\"demo_requested\":true}"},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,
                      "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}
            """, translated.Body);
    }

    [Fact]
    public void A_streamed_forced_tool_streams_its_input_as_content_and_stops()
    {
        const string model = "claude-3-5-haiku-20241022";
        var (frames, _) = Feed(new AnthropicStreamTranslator(ForcedTool), """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-3-5-haiku-20241022","stop_reason":null,"usage":{"input_tokens":100,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_01","name":"json_tool_call","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"name\": \"John"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":" Smith\"}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":20}}

            event: message_stop
            data: {"type":"message_stop"}
            """);

        AssertFrames(
            [
                Delta(model, """{"role":"assistant","content":""}"""),
                Delta(model, """{"content":"{\"name\": \"John"}"""),
                Delta(model, """{"content":" Smith\"}"}"""),
                Finish(model, "stop"),
                "[DONE]",
            ],
            frames);
    }
}
