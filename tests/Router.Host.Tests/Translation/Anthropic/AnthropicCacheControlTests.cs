using Router.Host.Http;
using static Router.Host.Tests.Translation.Anthropic.AnthropicTestKit;

namespace Router.Host.Tests.Translation.Anthropic;

/// <summary>cache_control on OpenAI parts, messages and tools as Anthropic's prompt-caching breakpoints (shapes from its prompt-caching reference).</summary>
public sealed class AnthropicCacheControlTests
{
    [Fact]
    public void A_system_part_with_cache_control_makes_system_a_block_array_keeping_it()
    {
        var call = Build("""
            {"model":"claude","messages":[
              {"role":"system","content":[
                {"type":"text","text":"You are an AI assistant tasked with analyzing literary works."},
                {"type":"text","text":"<the entire contents of Pride and Prejudice>","cache_control":{"type":"ephemeral"}}]},
              {"role":"user","content":"Analyze the major themes in Pride and Prejudice."}]}
            """);

        AssertJson("""
            {"model":"claude-sonnet-4-5","max_tokens":4096,
             "system":[
               {"type":"text","text":"You are an AI assistant tasked with analyzing literary works."},
               {"type":"text","text":"<the entire contents of Pride and Prejudice>","cache_control":{"type":"ephemeral"}}],
             "messages":[{"role":"user","content":[{"type":"text","text":"Analyze the major themes in Pride and Prejudice."}]}]}
            """, call.Body);
    }

    [Fact]
    public void A_string_system_message_with_cache_control_becomes_one_cached_block()
    {
        var call = Build("""
            {"model":"claude","messages":[
              {"role":"system","content":"Here is the full text of a complex legal agreement.","cache_control":{"type":"ephemeral","ttl":"1h"}},
              {"role":"user","content":"What are the key terms?"}]}
            """);

        AssertJson("""
            {"model":"claude-sonnet-4-5","max_tokens":4096,
             "system":[{"type":"text","text":"Here is the full text of a complex legal agreement.","cache_control":{"type":"ephemeral","ttl":"1h"}}],
             "messages":[{"role":"user","content":[{"type":"text","text":"What are the key terms?"}]}]}
            """, call.Body);
    }

    [Fact]
    public void Parts_messages_images_tool_results_and_tools_keep_their_breakpoints()
    {
        var call = Build("""
            {"model":"claude","messages":[
              {"role":"user","content":[
                {"type":"image_url","image_url":{"url":"https://example.com/a.png"},"cache_control":{"type":"ephemeral"}},
                {"type":"text","text":"Describe it."}]},
              {"role":"assistant","content":"A cat.","cache_control":{"type":"ephemeral"}},
              {"role":"assistant","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"toolu_1","content":"sunny","cache_control":{"type":"ephemeral"}},
              {"role":"user","content":"And the weather?","cache_control":{"type":"ephemeral"}}],
             "tools":[
               {"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{}}},"cache_control":{"type":"ephemeral"}},
               {"type":"function","function":{"name":"get_time","cache_control":{"type":"ephemeral"}}}]}
            """);

        AssertJson("""
            {"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[
              {"role":"user","content":[
                {"type":"image","source":{"type":"url","url":"https://example.com/a.png"},"cache_control":{"type":"ephemeral"}},
                {"type":"text","text":"Describe it."}]},
              {"role":"assistant","content":[
                {"type":"text","text":"A cat.","cache_control":{"type":"ephemeral"}},
                {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},
              {"role":"user","content":[
                {"type":"tool_result","tool_use_id":"toolu_1","content":"sunny","cache_control":{"type":"ephemeral"}},
                {"type":"text","text":"And the weather?","cache_control":{"type":"ephemeral"}}]}],
             "tools":[
               {"name":"get_weather","input_schema":{"type":"object","properties":{}},"cache_control":{"type":"ephemeral"}},
               {"name":"get_time","input_schema":{"type":"object","properties":{}},"cache_control":{"type":"ephemeral"}}]}
            """, call.Body);
    }

    [Fact]
    public void A_cache_control_that_is_not_an_object_is_refused_naming_where_it_is()
    {
        var error = Assert.Throws<RouterError>(() => Build("""
            {"model":"claude","messages":[{"role":"user","content":[{"type":"text","text":"Hi","cache_control":"ephemeral"}]}]}
            """));

        Assert.Equal("messages[0].content[0].cache_control", error.Body.Param);
    }
}
