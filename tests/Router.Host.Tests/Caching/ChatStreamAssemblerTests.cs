using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;
using Router.Host.Caching;

namespace Router.Host.Tests.Caching;

public sealed class ChatStreamAssemblerTests
{
    private static readonly TokenUsage Usage = new(19, 10, 0);

    // OpenAI's chunks, as api.openai.com sends them for a plain answer with include_usage.
    private const string Head =
        """
        {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_fc9f1d7035"
        """;

    private static readonly string[] TextStream =
    [
        Head + ""","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}""",
        Head + ""","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}""",
        Head + ""","choices":[{"index":0,"delta":{"content":"! How can I \"help\""},"logprobs":null,"finish_reason":null}],"usage":null}""",
        Head + ""","choices":[{"index":0,"delta":{"content":" you today? é"},"logprobs":null,"finish_reason":null}],"usage":null}""",
        Head + ""","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""",
        Head + ""","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}""",
    ];

    private const string ExpectedText =
        """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741570283,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I \"help\" you today? é"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp_fc9f1d7035"}""";

    // OpenAI's chunks for parallel tool calls: the first call opens in the role chunk, the second in its own.
    private const string ToolHead =
        """
        {"id":"chatcmpl-tools","object":"chat.completion.chunk","created":1741570300,"model":"gpt-4o-mini","system_fingerprint":"fp_06737a9306"
        """;

    private static readonly string[] ToolStream =
    [
        ToolHead + ""","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}]}""",
        ToolHead + ""","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"lo"}}]},"logprobs":null,"finish_reason":null}]}""",
        ToolHead + ""","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"cation\": \"Paris\"}"}}]},"logprobs":null,"finish_reason":null}]}""",
        ToolHead + ""","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_ABCDefgh1234","type":"function","function":{"name":"get_time","arguments":""}}]},"logprobs":null,"finish_reason":null}]}""",
        ToolHead + ""","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"tz\""}}]},"logprobs":null,"finish_reason":null}]}""",
        ToolHead + ""","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":": \"CET\"}"}}]},"logprobs":null,"finish_reason":null}]}""",
        ToolHead + ""","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}""",
    ];

    private const string ExpectedTools =
        """{"id":"chatcmpl-tools","object":"chat.completion","created":1741570300,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":"{\"location\": \"Paris\"}"}},{"id":"call_ABCDefgh1234","type":"function","function":{"name":"get_time","arguments":"{\"tz\": \"CET\"}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp_06737a9306"}""";

    private static byte[] Frame(string json) => Encoding.UTF8.GetBytes($"data: {json}\n\n");

    private static byte[]? Assemble(IEnumerable<byte[]> frames, TokenUsage? usage = null)
    {
        var assembler = new ChatStreamAssembler();
        foreach (var frame in frames) assembler.Add(frame);
        return assembler.Complete(usage ?? Usage);
    }

    private static string Text(byte[]? body) => body is null ? "<null>" : Encoding.UTF8.GetString(body);

    [Fact]
    public void A_text_stream_assembles_into_the_chat_completion()
    {
        var frames = TextStream.Select(Frame).Prepend(": keep-alive\n\n"u8.ToArray()).Append("data: [DONE]\n\n"u8.ToArray());

        Assert.Equal(ExpectedText, Text(Assemble(frames)));
    }

    [Fact]
    public void A_parallel_tool_call_stream_assembles_into_the_chat_completion()
    {
        Assert.Equal(ExpectedTools, Text(Assemble(ToolStream.Select(Frame))));
    }

    [Fact]
    public void Frames_split_or_joined_differently_assemble_the_same()
    {
        var all = string.Concat(TextStream.Select(j => $"data: {j}\r\n\r\n")) + "data: [DONE]\n\n";

        Assert.Equal(ExpectedText, Text(Assemble([Encoding.UTF8.GetBytes(all)])));
    }

    [Fact]
    public void Reasoning_and_several_choices_are_kept_apart()
    {
        string[] stream =
        [
            ToolHead + ""","choices":[{"index":1,"delta":{"role":"assistant","content":""},"finish_reason":null},{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""",
            ToolHead + ""","choices":[{"index":0,"delta":{"reasoning_content":"Think"},"finish_reason":null}]}""",
            ToolHead + ""","choices":[{"index":1,"delta":{"content":"B"},"finish_reason":null}]}""",
            ToolHead + ""","choices":[{"index":0,"delta":{"reasoning_content":"ing.","content":"A"},"finish_reason":null}]}""",
            ToolHead + ""","choices":[{"index":1,"delta":{},"finish_reason":"length"}]}""",
            ToolHead + ""","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
        ];

        var body = JsonNode.Parse(Assemble(stream.Select(Frame))!)!;

        Assert.Equal("A", (string?)body["choices"]![0]!["message"]!["content"]);
        Assert.Equal("Thinking.", (string?)body["choices"]![0]!["message"]!["reasoning_content"]);
        Assert.Equal("stop", (string?)body["choices"]![0]!["finish_reason"]);
        Assert.Equal(1, (int?)body["choices"]![1]!["index"]);
        Assert.Equal("B", (string?)body["choices"]![1]!["message"]!["content"]);
        Assert.Equal("length", (string?)body["choices"]![1]!["finish_reason"]);
    }

    [Fact]
    public void A_stream_that_never_finished_is_not_a_completion()
    {
        Assert.Null(Assemble(TextStream.Take(4).Select(Frame)));
        Assert.Null(Assemble(ToolStream.SkipLast(1).Select(Frame)));
        Assert.Null(Assemble([]));
        Assert.Null(Assemble(["data: [DONE]\n\n"u8.ToArray()]));
    }

    [Fact]
    public void A_stream_with_one_unfinished_choice_is_not_a_completion()
    {
        string[] stream =
        [
            ToolHead + ""","choices":[{"index":0,"delta":{"content":"A"},"finish_reason":null},{"index":1,"delta":{"content":"B"},"finish_reason":null}]}""",
            ToolHead + ""","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
        ];

        Assert.Null(Assemble(stream.Select(Frame)));
    }

    [Fact]
    public void A_stream_that_ended_in_an_error_is_not_a_completion()
    {
        var frames = TextStream.Take(3).Select(Frame)
            .Append(Frame("""{"error":{"message":"upstream went away","type":"server_error"}}"""))
            .Concat(TextStream.Skip(4).Select(Frame));

        Assert.Null(Assemble(frames));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Replaying_a_completion_and_assembling_the_replay_gives_the_same_body(bool includeUsage)
    {
        foreach (var expected in new[] { ExpectedText, ExpectedTools })
        {
            var frames = ChatStreamReplay.Frames(Encoding.UTF8.GetBytes(expected), includeUsage);

            Assert.Equal(expected, Text(Assemble(frames)));
        }
    }

    [Fact]
    public void A_replay_has_openai_s_shape()
    {
        var frames = ChatStreamReplay.Frames(Encoding.UTF8.GetBytes(ExpectedTools), includeUsage: true).Select(Encoding.UTF8.GetString).ToList();

        Assert.All(frames, f => Assert.Matches("^data: .*\n\n$", f));
        Assert.Equal("data: [DONE]\n\n", frames[^1]);
        var chunks = frames.SkipLast(1).Select(f => JsonNode.Parse(f["data: ".Length..])!).ToList();
        Assert.All(chunks, c =>
        {
            Assert.Equal("chat.completion.chunk", (string?)c["object"]);
            Assert.Equal("chatcmpl-tools", (string?)c["id"]);
            Assert.Equal("gpt-4o-mini", (string?)c["model"]);
            Assert.Equal(1741570300, (long?)c["created"]);
        });

        var role = chunks[0]["choices"]![0]!["delta"]!;
        Assert.Equal("assistant", (string?)role["role"]);
        Assert.Equal(JsonValueKind.Null, role["content"]?.GetValueKind() ?? JsonValueKind.Null);
        Assert.True(role.AsObject().ContainsKey("content"));

        var first = chunks[1]["choices"]![0]!["delta"]!["tool_calls"]![0]!;
        Assert.Equal(0, (int?)first["index"]);
        Assert.Equal("call_DdmO9pD3xa9XTPNJ32zg2hcA", (string?)first["id"]);
        Assert.Equal("get_weather", (string?)first["function"]!["name"]);
        Assert.Equal("{\"location\": \"Paris\"}", (string?)first["function"]!["arguments"]);
        Assert.Equal(1, (int?)chunks[2]["choices"]![0]!["delta"]!["tool_calls"]![0]!["index"]);

        Assert.Equal("tool_calls", (string?)chunks[3]["choices"]![0]!["finish_reason"]);
        Assert.Empty(chunks[4]["choices"]!.AsArray());
        Assert.Equal(29, (int?)chunks[4]["usage"]!["total_tokens"]);
        Assert.Equal(5, chunks.Count);
    }

    [Fact]
    public void A_text_replay_without_usage_has_role_content_finish_and_done()
    {
        var frames = ChatStreamReplay.Frames(Encoding.UTF8.GetBytes(ExpectedText), includeUsage: false).Select(Encoding.UTF8.GetString).ToList();

        Assert.Equal(4, frames.Count);
        Assert.Contains("\"delta\":{\"role\":\"assistant\",\"content\":\"\"}", frames[0]);
        Assert.Contains("\"delta\":{\"content\":\"Hello! How can I \\\"help\\\" you today? é\"}", frames[1]);
        Assert.Contains("\"finish_reason\":\"stop\"", frames[2]);
        Assert.DoesNotContain("usage", string.Concat(frames));
        Assert.Equal("data: [DONE]\n\n", frames[3]);
    }

    [Fact]
    public void Replaying_something_that_is_not_a_chat_completion_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ChatStreamReplay.Frames("""{"object":"list","data":[]}"""u8.ToArray(), true));
        Assert.Throws<ArgumentException>(() => ChatStreamReplay.Frames("not json"u8.ToArray(), true));
    }
}
