using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Router.Contracts.Wire;
using Router.Host.Translation;

namespace Router.Host.Tests.Translation;

/// <summary>The hand-written writer of a request against the source-generated serializer it stands in for: the same bytes.</summary>
public sealed class ProxyRequestWriterTests
{
    private static ProxyRequest Parse(string json) => JsonSerializer.Deserialize(json, WireJsonContext.Wire.ProxyRequest)!;

    private static string Serialized(ProxyRequest request) =>
        Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(request, WireJsonContext.Wire.ProxyRequest));

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":16}""")]
    [InlineData("""{"model":"m","stream":true,"stream_options":{"include_usage":false,"chunk_size":3},"messages":[]}""")]
    [InlineData("""{"stream":false,"stream_options":{"extra":[1, 2, {"a" : null}]}}""")]
    [InlineData("""{"messages":[{"role":"user","content":"caf\u00e9 <b> \"quoted\" \n 日本語 😀"}],"user":null}""")]
    [InlineData("""{"model":"m","na\u00efve key":"v","<tag>":1.50e3,"empty":{},"list":[]}""")]
    [InlineData("""{}""")]
    public void A_parsed_request_is_written_as_the_serializer_writes_it(string json)
    {
        var request = Parse(json);
        Assert.Equal(Serialized(request), Encoding.UTF8.GetString(ProxyRequestWriter.Write(request)));
    }

    [Fact]
    public void A_request_the_router_made_is_written_as_the_serializer_writes_it()
    {
        var parsed = Parse("""{"model":"client-name","temperature":0.2,"messages":[{"role":"user","content":"x"}]}""");
        var made = new ProxyRequest { Model = "upstream-name", Stream = true, StreamOptions = new StreamOptions { IncludeUsage = true }, Rest = parsed.Rest };
        Assert.Equal(Serialized(made), Encoding.UTF8.GetString(ProxyRequestWriter.Write(made)));
        Assert.Equal(Serialized(new ProxyRequest()), Encoding.UTF8.GetString(ProxyRequestWriter.Write(new ProxyRequest())));
    }

    [Theory]
    [InlineData("""{"model":"client-name","stream":true,"temperature":0.2,"messages":[]}""")]
    [InlineData("""{"stream_options":{"include_usage":false,"chunk_size":3},"messages":[]}""")]
    public void A_request_written_with_its_model_and_stream_options_replaced_is_what_a_copy_with_them_serializes_to(string json)
    {
        var request = Parse(json);
        var options = new StreamOptions { IncludeUsage = true, Rest = request.StreamOptions?.Rest };
        var copy = new ProxyRequest { Model = "upstream-name", Stream = request.Stream, StreamOptions = options, Rest = request.Rest };

        Assert.Equal(Serialized(copy), Encoding.UTF8.GetString(ProxyRequestWriter.Write(request, "upstream-name", options)));
        Assert.Equal(Serialized(Parse(json)), Serialized(request)); // the request itself is as it came
    }

    [Fact]
    public void A_long_prompt_is_written_whole_and_the_next_request_after_it_too()
    {
        var text = new string('a', 300_000);
        var big = Parse($$"""{"model":"m","messages":[{"role":"user","content":"{{text}}"}]}""");
        var small = Parse("""{"model":"m","messages":[]}""");
        Assert.Equal(Serialized(big), Encoding.UTF8.GetString(ProxyRequestWriter.Write(big)));
        Assert.Equal(Serialized(small), Encoding.UTF8.GetString(ProxyRequestWriter.Write(small)));
    }

    [Fact]
    public void The_writer_knows_every_typed_field_of_a_request()
    {
        // A typed field added to ProxyRequest or StreamOptions must be written by ProxyRequestWriter too: this fails until it is.
        static string[] Typed(Type type) => type.GetProperties()
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null && p.GetCustomAttribute<JsonExtensionDataAttribute>() is null)
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name).ToArray();
        Assert.Equal(["model", "stream", "stream_options"], Typed(typeof(ProxyRequest)));
        Assert.Equal(["include_usage"], Typed(typeof(StreamOptions)));
    }
}
