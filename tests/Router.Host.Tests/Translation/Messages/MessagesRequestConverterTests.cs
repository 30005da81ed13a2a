using System.Text;
using System.Text.Json.Nodes;
using Router.Host.Http;
using Router.Host.Translation.Messages;

namespace Router.Host.Tests.Translation.Messages;

public sealed class MessagesRequestConverterTests
{
    private static JsonNode Convert(string anthropic)
    {
        var (body, _) = MessagesRequestConverter.Convert(Encoding.UTF8.GetBytes(anthropic));
        return JsonNode.Parse(body)!;
    }

    [Fact]
    public void System_blocks_sampling_stop_sequences_user_and_stream_take_their_OpenAI_names()
    {
        var chat = Convert("""
            {"model":"claude-x","max_tokens":100,"temperature":0.2,"top_p":0.9,"top_k":5,"stop_sequences":["END"],
             "metadata":{"user_id":"u-1"},"stream":true,
             "system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Be kind."}],
             "messages":[{"role":"user","content":"hi"}]}
            """);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"model":"claude-x","messages":[{"role":"system","content":"Be brief.\n\nBe kind."},{"role":"user","content":"hi"}],
             "max_tokens":100,"temperature":0.2,"top_p":0.9,"stop":["END"],"user":"u-1","stream":true,
             "stream_options":{"include_usage":true}}
            """), chat), chat.ToJsonString());
    }

    [Fact]
    public void Tool_use_becomes_tool_calls_and_tool_results_come_first_as_tool_messages()
    {
        var chat = Convert("""
            {"model":"m","max_tokens":10,
             "tools":[{"name":"get_weather","description":"Weather.","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "tool_choice":{"type":"any","disable_parallel_tool_use":true},
             "messages":[
               {"role":"user","content":"Paris?"},
               {"role":"assistant","content":[{"type":"text","text":"Looking."},{"type":"tool_use","id":"tu_1","name":"get_weather","input":{"city":"Paris"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"tu_1","content":[{"type":"text","text":"sunny"}]},
                                         {"type":"tool_result","tool_use_id":"tu_2","content":"boom","is_error":true},
                                         {"type":"text","text":"Thanks"},
                                         {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]}
            """);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"role":"user","content":"Paris?"},
             {"role":"assistant","content":"Looking.","tool_calls":[{"id":"tu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
             {"role":"tool","tool_call_id":"tu_1","content":"sunny"},
             {"role":"tool","tool_call_id":"tu_2","content":"Error: boom"},
             {"role":"user","content":[{"type":"text","text":"Thanks"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]
            """), chat["messages"]), chat["messages"]!.ToJsonString());
        Assert.Equal("get_weather", chat["tools"]![0]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("object", chat["tools"]![0]!["function"]!["parameters"]!["type"]!.GetValue<string>());
        Assert.Equal("required", chat["tool_choice"]!.GetValue<string>());
        Assert.False(chat["parallel_tool_calls"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("""{"type":"auto"}""", "\"auto\"")]
    [InlineData("""{"type":"none"}""", "\"none\"")]
    [InlineData("""{"type":"tool","name":"f"}""", """{"type":"function","function":{"name":"f"}}""")]
    public void Tool_choice_takes_its_OpenAI_form(string anthropic, string openAi)
    {
        var chat = Convert($$"""{"model":"m","max_tokens":1,"tool_choice":{{anthropic}},"messages":[{"role":"user","content":"x"}]}""");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(openAi), chat["tool_choice"]));
    }

    [Theory]
    [InlineData("not json", "invalid_json", null)]
    [InlineData("""{"max_tokens":1,"messages":[]}""", "invalid_request", "model")]
    [InlineData("""{"model":"m","messages":[]}""", "invalid_request", "max_tokens")]
    [InlineData("""{"model":"m","max_tokens":1}""", "invalid_request", "messages")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"system","content":"x"}]}""", "invalid_request", "messages")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"document","source":{}}]}]}""", "unsupported_content_block", "messages")]
    [InlineData("""{"model":"m","max_tokens":1,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[{"role":"user","content":"x"}]}""", "unsupported_tool", "tools")]
    public void What_is_not_a_valid_Messages_request_is_refused_with_a_400(string anthropic, string code, string? param)
    {
        var error = Assert.Throws<RouterError>(() => Convert(anthropic));
        Assert.Equal((400, code, param), (error.Status, error.Body.Code, error.Body.Param));
    }
}
