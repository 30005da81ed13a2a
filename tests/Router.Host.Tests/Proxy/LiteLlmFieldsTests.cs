using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Caching;
using Router.Host.Http;
using Router.Host.Proxy;

namespace Router.Host.Tests.Proxy;

/// <summary>LiteLLM's own request fields: read, bounded, and gone from the request before anything else sees it.</summary>
public sealed class LiteLlmFieldsTests
{
    private const string Messages = """ "messages":[{"role":"user","content":"hi"}] """;

    /// <summary>A chat request for model m with <paramref name="fields"/> (JSON members) after its messages.</summary>
    private static string Chat(string fields = "") => "{\"model\":\"m\"," + Messages + (fields.Length > 0 ? "," + fields : "") + "}";

    private static ProxyRequest Parse(string json) => JsonSerializer.Deserialize(json, WireJsonContext.Default.ProxyRequest)!;

    private static (LiteLlmFields Fields, ProxyRequest Request) Consume(string json, ProxyOperation? operation = null)
    {
        var request = Parse(json);
        return (LiteLlmFields.Consume(request, operation ?? ProxyOperation.ChatCompletions), request);
    }

    private static RouterError Refused(string json, ProxyOperation? operation = null) =>
        Assert.Throws<RouterError>(() => Consume(json, operation));

    [Fact]
    public void The_fields_are_read_and_taken_out_of_the_request_and_every_other_field_stays()
    {
        var (fields, request) = Consume(Chat("""
            "temperature":0.2,"user":"alice",
            "metadata":{"trace_id":"t-1","generation_name":"g","tags":["from-metadata","both"],"team":{"id":7}},
            "tags":["top","both"],"cache":{"no-cache":true},"mock_response":"pong"
            """));

        Assert.Equal("""{"trace_id":"t-1","generation_name":"g","tags":["from-metadata","both"],"team":{"id":7}}""", fields.Metadata);
        Assert.Equal(["top", "both", "from-metadata"], fields.Tags);
        Assert.Equal(new CacheControls(true, false, null, null, null), fields.Cache);
        Assert.Equal("pong", fields.MockResponse);

        var sent = JsonSerializer.Serialize(request, WireJsonContext.Default.ProxyRequest);
        using var upstream = JsonDocument.Parse(sent);
        Assert.Equal(["model", "messages", "temperature", "user"], upstream.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Metadata_and_tags_do_not_change_the_cache_key()
    {
        var plain = Consume(Chat()).Request;
        var labelled = Consume(Chat("""  "metadata":{"run":1},"tags":["a"],"cache":{"ttl":60}  """)).Request;
        var otherLabels = Consume(Chat("""  "metadata":{"run":2},"tags":["b"]  """)).Request;

        var key = CacheKeys.For("default", "key-a", "openai", "m", "chat", plain);
        Assert.Equal(key, CacheKeys.For("default", "key-a", "openai", "m", "chat", labelled));
        Assert.Equal(key, CacheKeys.For("default", "key-a", "openai", "m", "chat", otherLabels));
    }

    [Fact]
    public void A_request_without_them_or_with_nulls_has_none()
    {
        Assert.Same(LiteLlmFields.None, Consume(Chat()).Fields);
        var (fields, request) = Consume(Chat("""  "metadata":null,"tags":null,"cache":null,"mock_response":null  """));
        Assert.Equal((null, 0, null, null), (fields.Metadata, fields.Tags.Count, fields.Cache, fields.MockResponse));
        Assert.Equal(["messages"], request.Rest!.Keys);
    }

    [Fact]
    public void An_operation_they_do_not_belong_to_keeps_them_as_sent()
    {
        // Anthropic's Messages API has a metadata field of its own, which must reach Anthropic unchanged.
        var messages = new ProxyOperation("/messages", "messages", [JsonValueKind.Array], CanStream: true);
        var (fields, request) = Consume(Chat("""  "metadata":{"user_id":"u"}  """), messages);

        Assert.Same(LiteLlmFields.None, fields);
        Assert.Equal("""{"user_id":"u"}""", request.Field("metadata")!.Value.GetRawText());
    }

    [Theory]
    [InlineData(""" "metadata":[1] """, "metadata")]
    [InlineData(""" "metadata":"text" """, "metadata")]
    [InlineData(""" "metadata":{"tags":"one"} """, "metadata.tags")]
    [InlineData(""" "metadata":{"tags":[1]} """, "metadata.tags")]
    [InlineData(""" "tags":"one" """, "tags")]
    [InlineData(""" "tags":[""] """, "tags")]
    [InlineData(""" "tags":["line\nbreak"] """, "tags")]
    [InlineData(""" "tags":[{"name":"x"}] """, "tags")]
    [InlineData(""" "mock_response":{"content":"x"} """, "mock_response")]
    [InlineData(""" "mock_response":42 """, "mock_response")]
    [InlineData(""" "cache":{"ttl":-1} """, "cache")]
    public void An_invalid_value_is_a_400_naming_its_field(string field, string param)
    {
        var error = Refused(Chat(field));
        Assert.Equal((400, param), (error.Status, error.Body.Param));
    }

    [Fact]
    public void Metadata_past_16_KB_and_more_than_32_tags_are_refused_and_the_bounds_themselves_pass()
    {
        // {"k":"…"} is 8 bytes besides the text.
        string Metadata(int bytes) => "\"metadata\":{\"k\":\"" + new string('x', bytes - 8) + "\"}";
        Assert.Equal(LiteLlmFields.MaxMetadataBytes, Consume(Chat(Metadata(16 * 1024))).Fields.Metadata!.Length);
        Assert.Equal("metadata", Refused(Chat(Metadata(16 * 1024 + 1))).Body.Param);

        string Tags(int count, int from = 0) => JsonSerializer.Serialize(Enumerable.Range(from, count).Select(i => $"t{i}"));
        Assert.Equal(32, Consume(Chat("\"tags\":" + Tags(32))).Fields.Tags.Count);
        Assert.Equal("tags", Refused(Chat("\"tags\":" + Tags(33))).Body.Param);
        // Together: 20 at the top, and 20 in metadata.tags of which 13 are new (the repeated ones count once).
        Assert.Equal("metadata.tags",
            Refused(Chat("\"tags\":" + Tags(20) + ",\"metadata\":{\"tags\":" + Tags(20, from: 13) + "}")).Body.Param);
        Assert.Equal(32, Consume(Chat("\"tags\":" + Tags(20) + ",\"metadata\":{\"tags\":" + Tags(20, from: 12) + "}")).Fields.Tags.Count);

        Assert.Equal(128, Consume(Chat("\"tags\":[\"" + new string('t', 128) + "\"]")).Fields.Tags[0].Length);
        Assert.Equal("tags", Refused(Chat("\"tags\":[\"" + new string('t', 129) + "\"]")).Body.Param);
    }

    [Fact]
    public void Mock_response_answers_completions_and_is_refused_on_embeddings()
    {
        Assert.Equal("done", Consume("""{"model":"m","prompt":"p","mock_response":"done"}""", ProxyOperation.Completions).Fields.MockResponse);

        var error = Refused("""{"model":"m","input":"p","mock_response":"done"}""", ProxyOperation.Embeddings);
        Assert.Equal((400, "mock_response"), (error.Status, error.Body.Param));
        // Its other fields are LiteLLM's there too.
        var (fields, request) = Consume("""{"model":"m","input":"p","tags":["e"],"metadata":{"a":1}}""", ProxyOperation.Embeddings);
        Assert.Equal(["e"], fields.Tags);
        Assert.Equal(["input"], request.Rest!.Keys);
    }
}
