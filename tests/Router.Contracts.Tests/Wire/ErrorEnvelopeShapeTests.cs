using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;

namespace Router.Contracts.Tests.Wire;

public sealed class ErrorEnvelopeShapeTests
{
    private static JsonObject Written(ErrorBody body)
    {
        var json = JsonSerializer.Serialize(new ErrorEnvelope(body), WireJsonContext.Wire.ErrorEnvelope);
        var root = JsonNode.Parse(json)!.AsObject();
        Assert.Equal(["error"], root.Select(p => p.Key));
        return root["error"]!.AsObject();
    }

    [Fact]
    public void A_router_refusal_has_OpenAIs_fields_and_its_origin()
    {
        var error = Written(new ErrorBody
        {
            Message = "The API key is not valid for this router.",
            Type = "authentication_error",
            Code = "invalid_api_key",
            Param = "authorization",
            Origin = ErrorOrigin.Router,
        });

        Assert.Equal("The API key is not valid for this router.", (string?)error["message"]);
        Assert.Equal("authentication_error", (string?)error["type"]);
        Assert.Equal("invalid_api_key", (string?)error["code"]);
        Assert.Equal("authorization", (string?)error["param"]);
        Assert.Equal("router", (string?)error["origin"]);
    }

    [Fact]
    public void Null_fields_are_left_out()
    {
        var error = Written(new ErrorBody { Message = "m", Type = "t", Origin = ErrorOrigin.Router });

        Assert.Equal(["message", "origin", "type"], error.Select(p => p.Key).Order());
    }

    [Fact]
    public void A_provider_error_carries_its_debugging_fields_and_the_upstream_body_as_JSON()
    {
        using var upstream = JsonDocument.Parse("""{"error":{"message":"Rate limit","code":429}}""");

        var error = Written(new ErrorBody
        {
            Message = "Rate limit",
            Type = "rate_limit_error",
            Origin = ErrorOrigin.Provider,
            Provider = "openai",
            Deployment = "openai:gpt-*",
            UpstreamStatus = 429,
            UpstreamBody = upstream.RootElement.Clone(),
            RequestId = "req-1",
        });

        Assert.Equal("provider", (string?)error["origin"]);
        Assert.Equal("openai", (string?)error["provider"]);
        Assert.Equal("openai:gpt-*", (string?)error["deployment"]);
        Assert.Equal(429, (int?)error["upstream_status"]);
        Assert.Equal("req-1", (string?)error["request_id"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"error":{"message":"Rate limit","code":429}}"""), error["upstream_body"]));
    }

    [Fact]
    public void Messages_are_written_without_needless_escapes()
    {
        var json = JsonSerializer.Serialize(
            new ErrorEnvelope(new ErrorBody { Message = "The model 'gpt-4o' isn't routed — «é»", Type = "t", Origin = "router" }),
            WireJsonContext.Wire.ErrorEnvelope);

        Assert.Contains("The model 'gpt-4o' isn't routed — «é»", json, StringComparison.Ordinal);
    }
}
