using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;

namespace Router.Contracts.Tests.Wire;

public sealed class ProxyRequestRoundTripTests
{
    private const string ChatRequest = """
        {
          "model": "ollama/llama3",
          "messages": [
            {"role": "system", "content": "Be terse."},
            {"role": "user", "content": [{"type": "text", "text": "Héllo \"world\" <b>&</b>"}]}
          ],
          "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
          "temperature": 0.70,
          "seed": 12345678901234567890,
          "max_tokens": 256,
          "logit_bias": {"50256": -100},
          "stop": null,
          "metadata": {"nested": {"deeper": [1, 2.50, {"x": true}]}}
        }
        """;

    private static ProxyRequest Parse(string json) =>
        JsonSerializer.Deserialize(json, WireJsonContext.Wire.ProxyRequest) ?? throw new InvalidOperationException("null request");

    private static string Write(ProxyRequest request) => JsonSerializer.Serialize(request, WireJsonContext.Wire.ProxyRequest);

    [Fact]
    public void The_typed_fields_are_read()
    {
        var request = Parse("""{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true}}""");

        Assert.Equal("gpt-4o", request.Model);
        Assert.True(request.IsStreaming);
        Assert.True(request.StreamOptions?.IncludeUsage);
    }

    [Fact]
    public void Unknown_fields_survive_a_round_trip_as_equal_JSON()
    {
        var written = Write(Parse(ChatRequest));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ChatRequest), JsonNode.Parse(written)), written);
    }

    [Theory]
    [InlineData("messages")]
    [InlineData("tools")]
    [InlineData("temperature")]
    [InlineData("seed")]
    [InlineData("logit_bias")]
    [InlineData("stop")]
    [InlineData("metadata")]
    public void Each_unknown_field_keeps_its_exact_JSON_text(string field)
    {
        using var original = JsonDocument.Parse(ChatRequest);
        using var written = JsonDocument.Parse(Write(Parse(ChatRequest)));

        Assert.Equal(Minified(original.RootElement.GetProperty(field)), Minified(written.RootElement.GetProperty(field)));
    }

    [Fact]
    public void Numbers_are_not_reformatted()
    {
        var written = Write(Parse(ChatRequest));

        Assert.Contains("\"temperature\":0.70", written, StringComparison.Ordinal);
        Assert.Contains("12345678901234567890", written, StringComparison.Ordinal);
        Assert.Contains("2.50", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Strings_keep_the_escapes_the_client_wrote()
    {
        // Unescaped and escaped again, "a\/b" would reach the provider as "a/b" and "\u00e9" as "é": the same text, not the same bytes.
        const string json = """{"model":"m","messages":[{"role":"user","content":"a\/b \u00e9 \u2028 \ud83d\ude00"}],"stop":["\n"]}""";

        var written = Write(Parse(json));

        Assert.Contains("""
            "content":"a\/b \u00e9 \u2028 \ud83d\ude00"
            """, written, StringComparison.Ordinal);
        Assert.Contains("""
            "stop":["\n"]
            """, written, StringComparison.Ordinal);
    }

    [Fact]
    public void Field_gives_the_raw_value_of_an_unknown_field()
    {
        var request = Parse(ChatRequest);

        Assert.Equal(256, request.Field("max_tokens")?.GetInt32());
        Assert.Null(request.Field("model"));
        Assert.Null(request.Field("absent"));
    }

    [Fact]
    public void Absent_fields_stay_absent()
    {
        var written = Write(Parse("""{"model":"gpt-4o","messages":[]}"""));

        var properties = JsonNode.Parse(written)!.AsObject().Select(p => p.Key);
        Assert.Equal(["messages", "model"], properties.Order());
        Assert.DoesNotContain("null", written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o","messages":[]}""")]
    [InlineData("""{"model":"gpt-4o","stream":null,"stream_options":null,"messages":[]}""")]
    public void Unset_typed_fields_are_not_written(string json)
    {
        var written = Write(Parse(json));

        Assert.DoesNotContain("\"stream\"", written, StringComparison.Ordinal);
        Assert.DoesNotContain("\"stream_options\"", written, StringComparison.Ordinal);
        Assert.Contains("\"messages\":[]", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_stream_options_survive_next_to_include_usage()
    {
        const string json = """{"model":"m","stream":false,"stream_options":{"include_usage":false,"continuous_usage_stats":true}}""";

        var written = Write(Parse(json));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(written)), written);
    }

    [Fact]
    public void A_request_without_stream_is_not_streaming()
    {
        Assert.False(Parse("""{"model":"m"}""").IsStreaming);
        Assert.False(Parse("""{"model":"m","stream":false}""").IsStreaming);
    }

    private static string Minified(JsonElement element) => JsonSerializer.Serialize(element);
}
