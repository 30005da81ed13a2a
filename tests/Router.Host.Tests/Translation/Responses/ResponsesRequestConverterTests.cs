using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Host.Http;
using Router.Host.Translation.Responses;

namespace Router.Host.Tests.Translation.Responses;

/// <summary>Golden tests of Responses requests as chat requests, from OpenAI's Responses and Chat references.</summary>
public sealed class ResponsesRequestConverterTests
{
    private static JsonNode Convert(string responses)
    {
        using var document = JsonDocument.Parse(responses);
        return JsonNode.Parse(ResponsesRequestConverter.Convert(document.RootElement, []))!;
    }

    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual.ToJsonString());

    [Fact]
    public void Instructions_and_a_string_input_become_a_system_and_a_user_message_with_the_settings_in_chat_names()
    {
        AssertJson("""
            {"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}],
             "max_tokens":50,"temperature":0.3,"top_p":0.8,"parallel_tool_calls":false,"user":"u1","reasoning_effort":"low",
             "response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":true}},
             "stream":true,"stream_options":{"include_usage":true}}
            """, Convert("""
            {"model":"m","instructions":"Be brief.","input":"hi","max_output_tokens":50,"temperature":0.3,"top_p":0.8,
             "parallel_tool_calls":false,"user":"u1","reasoning":{"effort":"low","summary":"auto"},"store":true,"metadata":{"k":"v"},
             "text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object"},"strict":true}},"stream":true}
            """));
    }

    [Fact]
    public void Items_become_messages_and_a_function_call_joins_the_assistant_turn_before_its_output()
    {
        AssertJson("""
            {"model":"m","messages":[
              {"role":"user","content":[{"type":"text","text":"Weather in"},{"type":"image_url","image_url":{"url":"https://x/a.png","detail":"low"}}]},
              {"role":"assistant","content":"Let me look.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny"},
              {"role":"developer","content":"Answer in French."}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather.","parameters":{"type":"object"},"strict":false}}],
             "tool_choice":{"type":"function","function":{"name":"get_weather"}}}
            """, Convert("""
            {"model":"m","input":[
              {"role":"user","content":[{"type":"input_text","text":"Weather in"},{"type":"input_image","image_url":"https://x/a.png","detail":"low"}]},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Let me look.","annotations":[]}]},
              {"type":"reasoning","id":"rs_1","summary":[]},
              {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"location\":\"Paris\"}"},
              {"type":"function_call_output","call_id":"call_1","output":"sunny"},
              {"role":"developer","content":"Answer in French."}],
             "tools":[{"type":"function","name":"get_weather","description":"Weather.","parameters":{"type":"object"},"strict":false}],
             "tool_choice":{"type":"function","name":"get_weather"}}
            """));
    }

    [Theory]
    [InlineData("""{"model":"m","input":"x","tools":[{"type":"web_search"}]}""", "tools[0]")]
    [InlineData("""{"model":"m","input":"x","tools":[{"type":"file_search","vector_store_ids":["vs"]}]}""", "tools[0]")]
    [InlineData("""{"model":"m","input":"x","background":true}""", "background")]
    [InlineData("""{"model":"m","input":"x","truncation":"auto"}""", "truncation")]
    [InlineData("""{"model":"m","input":"x","include":["file_search_call.results"]}""", "include")]
    [InlineData("""{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}""", "input[0]")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"file_1"}]}]}""", "input[0].content[0].image_url")]
    [InlineData("""{"model":"m","input":[{"type":"computer_call_output","call_id":"c"}]}""", "input[0].type")]
    [InlineData("""{"model":"m","input":"x","text":{"format":{"type":"grammar"}}}""", "text.format")]
    public void What_a_chat_API_cannot_carry_is_refused_naming_it(string request, string param)
    {
        var error = Assert.Throws<RouterError>(() => Convert(request));
        Assert.Equal((400, param), (error.Status, error.Body.Param));
    }
}
