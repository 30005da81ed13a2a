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
             "max_tokens":100,"temperature":0.2,"top_p":0.9,"top_k":5,"stop":["END"],"user":"u-1","stream":true,
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
    [InlineData("""{"model":"m","max_tokens":1,"container":"c1","messages":[{"role":"user","content":"x"}]}""", "unsupported_parameter", "container")]
    [InlineData("""{"model":"m","max_tokens":1,"mcp_servers":[],"messages":[{"role":"user","content":"x"}]}""", "unsupported_parameter", "mcp_servers")]
    [InlineData("""{"model":"m","max_tokens":1,"frobnicate":true,"messages":[{"role":"user","content":"x"}]}""", "unsupported_parameter", "frobnicate")]
    [InlineData("""{"model":"m","max_tokens":1,"metadata":{"user_id":"u","team":"t"},"messages":[{"role":"user","content":"x"}]}""", "unsupported_parameter", "metadata")]
    [InlineData("""{"model":"m","max_tokens":1,"thinking":{"type":"enabled"},"messages":[{"role":"user","content":"x"}]}""", "unsupported_parameter", "thinking")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"search_result","source":"s","title":"t","content":[]}]}]}""", "unsupported_content_block", "messages")]
    public void What_is_not_a_valid_Messages_request_is_refused_with_a_400(string anthropic, string code, string? param)
    {
        var error = Assert.Throws<RouterError>(() => Convert(anthropic));
        Assert.Equal((400, code, param), (error.Status, error.Body.Code, error.Body.Param));
    }

    [Theory]
    [InlineData(1024, "low")]
    [InlineData(2000, "medium")]
    [InlineData(16000, "high")]
    public void A_thinking_budget_becomes_the_lowest_reasoning_effort_that_covers_it(int budget, string effort)
    {
        var chat = Convert($$"""{"model":"m","max_tokens":20000,"thinking":{"type":"enabled","budget_tokens":{{budget}}},"messages":[{"role":"user","content":"x"}]}""");
        Assert.Equal(effort, chat["reasoning_effort"]!.GetValue<string>());
    }

    [Fact]
    public void Disabled_thinking_and_cache_control_marks_are_consumed_and_a_standard_only_tier_is_OpenAIs_default()
    {
        var chat = Convert("""
            {"model":"m","max_tokens":10,"thinking":{"type":"disabled"},"service_tier":"standard_only",
             "system":[{"type":"text","text":"Rules.","cache_control":{"type":"ephemeral"}}],
             "messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral","ttl":"1h"}}]}]}
            """);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"model":"m","messages":[{"role":"system","content":"Rules."},{"role":"user","content":[{"type":"text","text":"hi"}]}],
             "max_tokens":10,"service_tier":"default"}
            """), chat), chat.ToJsonString());
    }

    [Fact]
    public void A_pdf_document_becomes_a_file_part_and_a_text_document_a_text_part()
    {
        var chat = Convert("""
            {"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
              {"type":"document","title":"spec.pdf","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}},
              {"type":"document","source":{"type":"text","media_type":"text/plain","data":"Plain words."}}]}]}
            """);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"file","file":{"filename":"spec.pdf","file_data":"data:application/pdf;base64,JVBERi0x"}},{"type":"text","text":"Plain words."}]
            """), chat["messages"]![0]!["content"]), chat.ToJsonString());
    }

    [Fact]
    public void Top_k_is_refused_by_name_for_a_provider_whose_chat_API_has_none()
    {
        var error = Assert.Throws<RouterError>(() => MessagesRequestConverter.Convert(
            Encoding.UTF8.GetBytes("""{"model":"m","max_tokens":1,"top_k":3,"messages":[{"role":"user","content":"x"}]}"""), new ChatTarget(TakesTopK: false)));
        Assert.Equal((400, "top_k"), (error.Status, error.Body.Param));
    }

    [Fact]
    public void Metadata_user_id_is_consumed_for_a_chat_API_without_a_user_field()
    {
        var (body, _) = MessagesRequestConverter.Convert(
            Encoding.UTF8.GetBytes("""{"model":"m","max_tokens":1,"metadata":{"user_id":"u-1"},"messages":[{"role":"user","content":"x"}]}"""),
            new ChatTarget(TakesUser: false));
        Assert.Null(JsonNode.Parse(body)!["user"]);
    }
}
