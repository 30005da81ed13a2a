using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Streaming;
using Router.Host.Translation;
using Router.Host.Translation.Gemini;

namespace Router.Host.Tests.Translation.Gemini;

internal static class GeminiTestKit
{
    public static readonly ProviderSettings Settings = new(
        "google", ProviderType.Gemini, new Uri("https://generativelanguage.googleapis.com/v1beta"), "AIza-test", true,
        new Dictionary<string, string>(),
        new ProviderTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5)));

    public static readonly GeminiDialect Dialect = new(Settings);

    public static ResponseContext Context(bool includeUsage = false) =>
        new("chatcmpl-gem1", "gemini-2.5-flash", 1_750_000_000, includeUsage);

    public static ProxyRequest Request(string json) => JsonSerializer.Deserialize<ProxyRequest>(json)!;

    public static UpstreamCall Call(string json, bool streaming = false, string model = "gemini-2.5-flash") =>
        Dialect.BuildCall(ProxyOperation.ChatCompletions, Request(json), new CallContext(model, streaming, new HeaderDictionary()));

    /// <summary>The upstream body of a chat request.</summary>
    public static JsonNode Body(string json) => JsonNode.Parse(Call(json).Body)!;

    public static JsonNode Translate(string geminiJson) =>
        JsonNode.Parse(Dialect.TranslateResponse(Encoding.UTF8.GetBytes(geminiJson), Context()).Body)!;

    public static void AssertJson(string expected, JsonNode? actual)
    {
        var want = JsonNode.Parse(expected);
        Assert.True(JsonNode.DeepEquals(want, actual), $"expected:\n{want?.ToJsonString()}\nactual:\n{actual?.ToJsonString()}");
    }

    public static SseEvent Event(string data) => SseEvent.Parse(Encoding.UTF8.GetBytes($"data: {data}\r\n\r\n"));

    /// <summary>Feeds the events through a stream translator and ends it; returns the frames, the last signal and the translator.</summary>
    public static (List<string> Frames, StreamSignal Signal, IStreamTranslator Translator) Stream(bool includeUsage, params string[] events)
    {
        var translator = Dialect.CreateStreamTranslator(Context(includeUsage));
        var frames = new List<byte[]>();
        var signal = StreamSignal.Continue;
        foreach (var data in events)
        {
            signal = translator.Accept(Event(data), frames);
            if (signal != StreamSignal.Continue) break;
        }
        if (signal == StreamSignal.Continue) signal = translator.End(frames);
        return (frames.Select(f => Encoding.UTF8.GetString(f)).ToList(), signal, translator);
    }

    /// <summary>The JSON of each <c>data:</c> frame; <c>[DONE]</c> as the string "[DONE]".</summary>
    public static List<JsonNode?> Payloads(IEnumerable<string> frames) => frames.Select(frame =>
    {
        Assert.StartsWith("data: ", frame);
        Assert.EndsWith("\n\n", frame);
        var data = frame["data: ".Length..^2];
        return data == "[DONE]" ? JsonValue.Create("[DONE]") : JsonNode.Parse(data);
    }).ToList();

    public static void AssertFrames(string expectedArray, IEnumerable<string> frames)
    {
        var want = JsonNode.Parse(expectedArray)!.AsArray();
        var got = Payloads(frames);
        Assert.True(want.Count == got.Count, $"expected {want.Count} frames, got {got.Count}:\n{string.Join("\n", got.Select(g => g?.ToJsonString()))}");
        for (var i = 0; i < want.Count; i++)
            Assert.True(JsonNode.DeepEquals(want[i], got[i]), $"frame {i}:\nexpected {want[i]?.ToJsonString()}\nactual   {got[i]?.ToJsonString()}");
    }
}
