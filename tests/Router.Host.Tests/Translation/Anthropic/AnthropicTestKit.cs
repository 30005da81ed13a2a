using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Streaming;
using Router.Host.Translation;
using Router.Host.Translation.Anthropic;

namespace Router.Host.Tests.Translation.Anthropic;

/// <summary>Builds requests and contexts for the Anthropic golden tests and compares JSON by value.</summary>
internal static class AnthropicTestKit
{
    public const string Id = "chatcmpl-test";
    public const long Created = 1_700_000_000;

    public static ProviderSettings Settings(IReadOnlyDictionary<string, string>? headers = null, int defaultMaxTokens = 4096) =>
        new("claude", ProviderType.Anthropic, new Uri("https://api.anthropic.com/v1"), "sk-ant-test", true,
            headers ?? new Dictionary<string, string>(),
            new ProviderTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5)),
            DefaultMaxTokens: defaultMaxTokens);

    public static ProxyRequest Request(string json) =>
        JsonSerializer.Deserialize(json, WireJsonContext.Wire.ProxyRequest) ?? throw new InvalidOperationException("null request");

    public static CallContext Call(bool streaming = false, IHeaderDictionary? headers = null) =>
        new("claude-sonnet-4-5", streaming, headers ?? new HeaderDictionary());

    public static UpstreamCall Build(string requestJson, bool streaming = false, ProviderSettings? settings = null, IHeaderDictionary? headers = null) =>
        new AnthropicDialect(settings ?? Settings()).BuildCall(ProxyOperation.ChatCompletions, Request(requestJson), Call(streaming, headers));

    public static ResponseContext Response(bool includeUsage = false) => new(Id, "requested-model", Created, includeUsage);

    public static void AssertJson(string expected, byte[] actual) => AssertJson(expected, Encoding.UTF8.GetString(actual));

    public static void AssertJson(string expected, string actual)
    {
        var want = JsonNode.Parse(expected);
        var got = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(want, got),
            $"JSON differs.\nexpected: {want?.ToJsonString()}\nactual:   {got?.ToJsonString()}");
    }

    /// <summary>Feeds a stream written as SSE text (events apart by blank lines) to a translator, event by event.</summary>
    public static (List<byte[]> Frames, List<StreamSignal> Signals) Feed(IStreamTranslator translator, string sse)
    {
        var frames = new List<byte[]>();
        var signals = new List<StreamSignal>();
        foreach (var raw in sse.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            signals.Add(translator.Accept(SseEvent.Parse(Encoding.UTF8.GetBytes(raw.Trim('\n') + "\n\n")), frames));
        }
        return (frames, signals);
    }

    /// <summary>Compares SSE frames with the expected chunk JSON texts; "[DONE]" stands for the closing frame.</summary>
    public static void AssertFrames(IReadOnlyList<string> expected, IReadOnlyList<byte[]> frames)
    {
        Assert.Equal(expected.Count, frames.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var frame = Encoding.UTF8.GetString(frames[i]);
            Assert.StartsWith("data: ", frame);
            Assert.EndsWith("\n\n", frame);
            var data = frame["data: ".Length..^2];
            if (expected[i] == "[DONE]") Assert.Equal("[DONE]", data);
            else AssertJson(expected[i], data);
        }
    }

    /// <summary>An OpenAI chunk with one choice carrying <paramref name="delta"/>.</summary>
    public static string Delta(string model, string delta) =>
        $$$$"""{"id":"{{{{Id}}}}","object":"chat.completion.chunk","created":{{{{Created}}}},"model":"{{{{model}}}}","choices":[{"index":0,"delta":{{{{delta}}}},"logprobs":null,"finish_reason":null}]}""";

    public static string Finish(string model, string reason) =>
        $$$$"""{"id":"{{{{Id}}}}","object":"chat.completion.chunk","created":{{{{Created}}}},"model":"{{{{model}}}}","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"{{{{reason}}}}"}]}""";

    public static string UsageChunk(string model, int prompt, int completion, int cached = 0) =>
        $$$$"""{"id":"{{{{Id}}}}","object":"chat.completion.chunk","created":{{{{Created}}}},"model":"{{{{model}}}}","choices":[],"usage":{"prompt_tokens":{{{{prompt}}}},"completion_tokens":{{{{completion}}}},"total_tokens":{{{{prompt + completion}}}},"prompt_tokens_details":{"cached_tokens":{{{{cached}}}}},"completion_tokens_details":{"reasoning_tokens":0}}}""";
}
