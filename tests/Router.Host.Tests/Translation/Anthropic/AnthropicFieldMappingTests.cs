using Router.Host.Http;
using static Router.Host.Tests.Translation.Anthropic.AnthropicTestKit;

namespace Router.Host.Tests.Translation.Anthropic;

/// <summary>
/// Every OpenAI chat field reaches Anthropic with its meaning, is consumed by the router, or is refused with a
/// 400 naming it (dropped and reported instead under drop-params); invalid values are refused, never defaulted.
/// </summary>
public sealed class AnthropicFieldMappingTests
{
    private const string Hi = """[{"role":"user","content":"Hi"}]""";
    private const string AnthropicHi = """[{"role":"user","content":[{"type":"text","text":"Hi"}]}]""";

    [Fact]
    public void Fields_with_a_counterpart_are_mapped()
    {
        var call = Build($$$"""
            {"model":"claude","messages":{{{Hi}}},"max_completion_tokens":300,"stop":"END","user":"user-42","top_k":40,
             "service_tier":"default","n":1,"logprobs":false,"temperature":0.5,"top_p":0.9}
            """);

        AssertJson($$$"""
            {"model":"claude-sonnet-4-5","max_tokens":300,"messages":{{{AnthropicHi}}},"stop_sequences":["END"],
             "metadata":{"user_id":"user-42"},"top_k":40,"service_tier":"standard_only","temperature":0.5,"top_p":0.9}
            """, call.Body);
        Assert.Empty(call.DroppedParams);
    }

    [Fact]
    public void Safety_identifier_is_the_user_id_when_user_is_absent()
    {
        var call = Build($$$"""{"model":"claude","messages":{{{Hi}}},"safety_identifier":"hashed-7"}""");

        AssertJson($$$"""{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":{{{AnthropicHi}}},"metadata":{"user_id":"hashed-7"}}""", call.Body);
    }

    [Fact]
    public void Fields_the_router_consumes_and_nulls_are_neither_refused_nor_sent()
    {
        var call = Build($$$"""
            {"model":"claude","messages":{{{Hi}}},"stream_options":{"include_usage":true},"metadata":{"team":"a"},"tags":["x"],
             "cache":{"no-cache":true},"mock_response":"hello","logit_bias":null,"seed":null}
            """);

        AssertJson($$$"""{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":{{{AnthropicHi}}}}""", call.Body);
    }

    [Theory]
    [InlineData("\"logit_bias\":{\"50256\":-100}", "logit_bias")]
    [InlineData("\"presence_penalty\":0.5", "presence_penalty")]
    [InlineData("\"seed\":7", "seed")]
    [InlineData("\"top_logprobs\":3", "top_logprobs")]
    [InlineData("\"logprobs\":true", "logprobs")]
    [InlineData("\"n\":2", "n")]
    [InlineData("\"service_tier\":\"flex\"", "service_tier")]
    [InlineData("\"web_search_options\":{}", "web_search_options")]
    [InlineData("\"my_own_field\":1", "my_own_field")]
    public void A_field_without_a_counterpart_is_refused_naming_it(string field, string param)
    {
        var error = Assert.Throws<RouterError>(() => Build($$$"""{"model":"claude","messages":{{{Hi}}},{{{field}}}}"""));

        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_request_error", error.Body.Type);
        Assert.Equal("unsupported_parameter", error.Body.Code);
        Assert.Equal(param, error.Body.Param);
        Assert.Contains("drop-params", error.Body.Message);
    }

    [Fact]
    public void Under_drop_params_fields_without_a_counterpart_are_left_out_and_reported()
    {
        var call = Build($$$"""
            {"model":"claude","messages":{{{Hi}}},"logit_bias":{"50256":-100},"frequency_penalty":0.2,"n":3,"temperature":0.3}
            """, settings: Settings() with { DropParams = true });

        AssertJson($$$"""{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":{{{AnthropicHi}}},"temperature":0.3}""", call.Body);
        Assert.Equal(["logit_bias", "frequency_penalty", "n"], call.DroppedParams);
    }

    [Theory]
    [InlineData("\"max_tokens\":0", "max_tokens")]
    [InlineData("\"max_tokens\":-5", "max_tokens")]
    [InlineData("\"max_tokens\":\"100\"", "max_tokens")]
    [InlineData("\"max_completion_tokens\":1.5", "max_completion_tokens")]
    [InlineData("\"temperature\":\"hot\"", "temperature")]
    [InlineData("\"top_p\":true", "top_p")]
    [InlineData("\"tools\":{\"type\":\"function\"}", "tools")]
    [InlineData("\"stop\":[\"a\",1]", "stop[1]")]
    [InlineData("\"stop\":5", "stop")]
    [InlineData("\"user\":42", "user")]
    [InlineData("\"parallel_tool_calls\":\"no\"", "parallel_tool_calls")]
    public void An_invalid_value_of_a_translated_field_is_refused_naming_it(string field, string param)
    {
        var error = Assert.Throws<RouterError>(() => Build($$$"""{"model":"claude","messages":{{{Hi}}},{{{field}}}}"""));

        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Body.Param);
    }

    [Theory]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"not a url"}}]}]""", "messages[0].content[0].image_url.url")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://example.com/a.png"}}]}]""", "messages[0].content[0].image_url.url")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,"}}]}]""", "messages[0].content[0].image_url.url")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]""", "messages[0].content[0].image_url.url")]
    [InlineData("""["Hi"]""", "messages[0]")]
    [InlineData("""[{"role":"user","content":5}]""", "messages[0].content")]
    [InlineData("""[{"role":"assistant","content":"a","tool_calls":{}}]""", "messages[0].tool_calls")]
    [InlineData("""[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]},{"role":"user","content":"Hi"}]""", "messages[0].content[0]")]
    public void Malformed_messages_are_refused_naming_the_part(string messages, string param)
    {
        var error = Assert.Throws<RouterError>(() => Build($$$"""{"model":"claude","messages":{{{messages}}}}"""));

        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Body.Param);
    }

    [Theory]
    [InlineData("""[{"role":"user","content":"Hi","name":"alice"}]""", "messages[0].name")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png","detail":"high"}}]}]""", "messages[0].content[0].image_url.detail")]
    public void A_message_field_without_a_counterpart_is_refused_naming_where_it_sits(string messages, string param)
    {
        var error = Assert.Throws<RouterError>(() => Build($$$"""{"model":"claude","messages":{{{messages}}}}"""));

        Assert.Equal(param, error.Body.Param);
        Assert.Equal("unsupported_parameter", error.Body.Code);
    }

    [Fact]
    public void Under_drop_params_message_fields_are_dropped_and_reported_by_name_and_auto_detail_asks_for_nothing()
    {
        var call = Build("""
            {"model":"claude","messages":[{"role":"user","name":"alice","content":[
              {"type":"image_url","image_url":{"url":"https://example.com/a.png","detail":"auto"}},{"type":"text","text":"Hi"}]}]}
            """, settings: Settings() with { DropParams = true });

        AssertJson("""
            {"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":[
              {"type":"image","source":{"type":"url","url":"https://example.com/a.png"}},{"type":"text","text":"Hi"}]}]}
            """, call.Body);
        Assert.Equal(["name"], call.DroppedParams);
    }
}
