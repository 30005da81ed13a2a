using System.Text;
using System.Text.Json.Nodes;
using Router.Host.Translation.Messages;

namespace Router.Host.Tests.Translation.Messages;

public sealed class MessagesResponsesTests
{
    [Fact]
    public void A_completion_with_text_and_a_tool_call_becomes_a_message_with_blocks()
    {
        var message = JsonNode.Parse(MessagesResponses.Message(Encoding.UTF8.GetBytes("""
            {"id":"chatcmpl-req_1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"finish_reason":"tool_calls",
             "message":{"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]}}],
             "usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19,"prompt_tokens_details":{"cached_tokens":2}}}
            """)))!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"id":"msg_req_1","type":"message","role":"assistant","model":"gpt-4o",
             "content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"call_1","name":"f","input":{"a":1}}],
             "stop_reason":"tool_use","stop_sequence":null,
             "usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":2,"output_tokens":7}}
            """), message), message.ToJsonString());
    }

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(413, "request_too_large")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "api_error")]
    [InlineData(502, "api_error")]
    [InlineData(504, "timeout_error")]
    [InlineData(529, "overloaded_error")]
    public void An_error_envelope_becomes_Anthropics_with_the_type_for_its_status_and_the_routers_fields(int status, string type)
    {
        var error = JsonNode.Parse(MessagesResponses.Error(status, Encoding.UTF8.GetBytes("""
            {"error":{"message":"No.","type":"whatever","code":"c","origin":"provider","provider":"p","upstream_status":503,"request_id":"req_9"}}
            """)))!;

        Assert.Equal("error", error["type"]!.GetValue<string>());
        Assert.Equal(type, error["error"]!["type"]!.GetValue<string>());
        Assert.Equal(("No.", "provider", "c"), (error["error"]!["message"]!.GetValue<string>(), error["error"]!["origin"]!.GetValue<string>(),
            error["error"]!["code"]!.GetValue<string>()));
        Assert.Equal("req_9", error["request_id"]!.GetValue<string>());
    }
}
