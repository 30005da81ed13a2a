using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Proxy;

namespace Router.Host.Tests.Proxy;

/// <summary>Invalid UTF-8 in a request body is refused as a 400 on arrival, wherever it is, never a 500 later.</summary>
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

        var error = Assert.Throws<RouterError>(() => RequestBodyEncoding.RequireValidUtf8(request));

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

        RequestBodyEncoding.RequireValidUtf8(request);
    }
}
