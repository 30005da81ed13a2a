using System.Text;
using System.Text.Json.Nodes;
using Router.Host.Translation.Messages;

namespace Router.Host.Tests.Translation.Messages;

public sealed class MessagesStreamTranslatorTests
{
    private static List<(string Name, JsonNode Data)> Translate(params string[] chunks)
    {
        var translator = new MessagesStreamTranslator("msg_1", "m");
        var frames = new List<byte[]>();
        foreach (var chunk in chunks) translator.Accept(Encoding.UTF8.GetBytes(chunk), frames);
        return frames.Select(frame =>
        {
            var lines = Encoding.UTF8.GetString(frame).Split('\n');
            return (lines[0]["event: ".Length..], JsonNode.Parse(lines[1]["data: ".Length..])!);
        }).ToList();
    }

    [Fact]
    public void Text_then_a_streamed_tool_call_become_two_blocks_and_the_usage_closes_the_message()
    {
        var events = Translate(
            """{"id":"c","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}""",
            """{"id":"c","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Let me check."}}]}""",
            """{"id":"c","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}}]}""",
            """{"id":"c","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]}}]}""",
            """{"id":"c","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]}""",
            """{"id":"c","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
            """{"id":"c","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}""",
            "[DONE]");

        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "content_block_start",
             "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events.Select(e => e.Name));
        Assert.Equal("gpt-4o", events[0].Data["message"]!["model"]!.GetValue<string>());
        Assert.Equal("Let me check.", events[2].Data["delta"]!["text"]!.GetValue<string>());
        Assert.Equal(("tool_use", "call_1", 1), (events[4].Data["content_block"]!["type"]!.GetValue<string>(),
            events[4].Data["content_block"]!["id"]!.GetValue<string>(), events[4].Data["index"]!.GetValue<int>()));
        Assert.Equal("{\"a\":1}", events[5].Data["delta"]!["partial_json"]!.GetValue<string>() + events[6].Data["delta"]!["partial_json"]!.GetValue<string>());
        Assert.Equal("tool_use", events[8].Data["delta"]!["stop_reason"]!.GetValue<string>());
        Assert.Equal((9, 4), (events[8].Data["usage"]!["input_tokens"]!.GetValue<int>(), events[8].Data["usage"]!["output_tokens"]!.GetValue<int>()));
    }

    [Fact]
    public void An_error_event_mid_stream_ends_it_as_Anthropics_error_event()
    {
        var events = Translate(
            """{"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Hal"}}]}""",
            """{"error":{"message":"overloaded","type":"overloaded_error","origin":"provider","upstream_status":529}}""",
            "[DONE]");

        Assert.Equal(["message_start", "content_block_start", "content_block_delta", "error"], events.Select(e => e.Name));
        Assert.Equal("overloaded_error", events[3].Data["error"]!["type"]!.GetValue<string>());
        Assert.Equal("overloaded", events[3].Data["error"]!["message"]!.GetValue<string>());
    }
}
