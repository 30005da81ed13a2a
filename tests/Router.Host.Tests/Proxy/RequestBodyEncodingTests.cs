using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Proxy;

namespace Router.Host.Tests.Proxy;

/// <summary>Broken text in a request body (invalid UTF-8, half a surrogate pair) is refused as a 400 on arrival, wherever it is, never a 500 later.</summary>
public sealed class RequestBodyEncodingTests
{
    // 0xC3 0x28 is a two-byte sequence whose second byte is no continuation byte.
    private static byte[] Body(string before, string after) =>
        [.. Encoding.UTF8.GetBytes(before), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(after)];

    [Fact]
    public void Invalid_utf8_in_a_message_is_refused_naming_the_field()
    {
        var request = JsonSerializer.Deserialize(
            Body("""{"model":"m","messages":[{"role":"user","content":"caf""", "\"}]}"), WireJsonContext.Wire.ProxyRequest)!;

        var error = Assert.Throws<RouterError>(() => RequestBodyEncoding.RequireValidText(request));

        Assert.Equal(400, error.Status);
        Assert.Equal("messages", error.Body.Param);
        Assert.Equal("invalid_utf8", error.Body.Code);
    }

    [Fact]
    public void Invalid_utf8_in_a_typed_field_is_already_a_json_error_which_the_handler_answers_with_400() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(Body("""{"model":"m""", "\",\"messages\":[]}"), WireJsonContext.Wire.ProxyRequest));

    [Fact]
    public void Valid_text_in_any_script_passes()
    {
        var request = JsonSerializer.Deserialize("""{"model":"m","messages":[{"role":"user","content":"café 日本 🙂"}]}"""u8, WireJsonContext.Wire.ProxyRequest)!;

        RequestBodyEncoding.RequireValidText(request);
    }

    [Theory]
    [InlineData("""a\ud800b""")]
    [InlineData("""a\uDBFF""")]
    [InlineData("""\udc00 alone""")]
    [InlineData("""\ud83d\u0041""")]
    [InlineData("""\ud83d\n\ude00""")]
    [InlineData("""ok \ud83d\ude00 then \ude00""")]
    [InlineData("""an escaped backslash, then one: \\\ud800""")]
    public void Half_a_surrogate_pair_escaped_is_refused_naming_the_field(string content)
    {
        var error = Assert.Throws<RouterError>(() => RequestBodyEncoding.RequireValidText(Chat(content)));

        Assert.Equal(400, error.Status);
        Assert.Equal("messages", error.Body.Param);
        Assert.Equal("invalid_unicode", error.Body.Code);
    }

    [Theory]
    [InlineData("""\ud83d\ude00""")]
    [InlineData("""\uD83D\uDE00 and \u00e9""")]
    [InlineData("""a backslash then text: \\ud800""")]
    [InlineData("""two backslashes then text: \\\\ud800 \\\\udc00""")]
    [InlineData("""\"quoted\" \\ \n\t\u0000""")]
    public void Escaped_text_that_is_whole_passes(string content) => RequestBodyEncoding.RequireValidText(Chat(content));

    /// <summary>A chat request whose one message is <paramref name="content"/> as it is spelled in JSON.</summary>
    private static ProxyRequest Chat(string content) =>
        JsonSerializer.Deserialize($$"""{"model":"m","messages":[{"role":"user","content":"{{content}}"}]}""", WireJsonContext.Wire.ProxyRequest)!;
}
