using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;
using Router.Host.Providers;

namespace Router.Host.Tests.Providers;

public sealed class ProviderErrorsFromResponseTests
{
    private const string OpenAiBody = """
        {
          "error": {
            "message": "Incorrect API key provided: sk-abc***.",
            "type": "invalid_request_error",
            "param": null,
            "code": "invalid_api_key"
          }
        }
        """;

    [Fact]
    public void An_OpenAI_error_body_has_its_fields_lifted_and_is_kept_unchanged()
    {
        var error = ProviderErrors.FromResponse(401, Encoding.UTF8.GetBytes(OpenAiBody), "openai", "openai:gpt-*");

        Assert.Equal(401, error.Status);
        var body = error.Body;
        Assert.Equal("Incorrect API key provided: sk-abc***.", body.Message);
        Assert.Equal("invalid_request_error", body.Type);
        Assert.Equal("invalid_api_key", body.Code);
        Assert.Null(body.Param);
        Assert.Equal(ErrorOrigin.Provider, body.Origin);
        Assert.Equal("openai", body.Provider);
        Assert.Equal("openai:gpt-*", body.Deployment);
        Assert.Equal(401, body.UpstreamStatus);
        Assert.NotNull(body.UpstreamBody);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(OpenAiBody), JsonNode.Parse(body.UpstreamBody.Value.GetRawText())));
    }

    [Fact]
    public void A_numeric_code_and_a_param_are_lifted_as_text()
    {
        var body = ProviderErrors.FromResponse(429,
            Encoding.UTF8.GetBytes("""{"error":{"message":"slow down","code":429,"param":"model"}}"""), "xai", "xai:grok-*").Body;

        Assert.Equal(("429", "model"), (body.Code, body.Param));
        Assert.Equal("rate_limit_error", body.Type);
    }

    [Fact]
    public void An_error_given_as_a_string_is_the_message()
    {
        var body = ProviderErrors.FromResponse(404,
            Encoding.UTF8.GetBytes("""{"error":"model 'llama9' not found, try pulling it first"}"""), "ollama", "ollama:ollama/*").Body;

        Assert.Equal("model 'llama9' not found, try pulling it first", body.Message);
        Assert.Equal("not_found_error", body.Type);
    }

    [Fact]
    public void A_non_JSON_body_is_kept_as_a_JSON_string()
    {
        const string html = "<html><body><h1>502 Bad Gateway</h1></body></html>\n";

        var error = ProviderErrors.FromResponse(502, Encoding.UTF8.GetBytes(html), "openrouter", "openrouter:*");

        Assert.Equal(502, error.Status);
        Assert.Equal(JsonValueKind.String, error.Body.UpstreamBody?.ValueKind);
        Assert.Equal(html, error.Body.UpstreamBody?.GetString());
        Assert.Equal("api_error", error.Body.Type);
        Assert.Equal(ErrorOrigin.Provider, error.Body.Origin);
    }

    [Fact]
    public void The_envelope_written_to_the_client_embeds_the_upstream_body_as_JSON()
    {
        var error = ProviderErrors.FromResponse(401, Encoding.UTF8.GetBytes(OpenAiBody), "openai", "openai:gpt-*");

        var written = JsonNode.Parse(JsonSerializer.Serialize(new ErrorEnvelope(error.Body), WireJsonContext.Wire.ErrorEnvelope))!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(OpenAiBody), written["error"]!["upstream_body"]));
        Assert.Equal(401, (int?)written["error"]!["upstream_status"]);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"error":{}}""")]
    public void Without_a_message_the_provider_and_status_are_named(string body)
    {
        var error = ProviderErrors.FromResponse(503, Encoding.UTF8.GetBytes(body), "minimax", "minimax:minimax/*");

        Assert.Contains("minimax", error.Body.Message, StringComparison.Ordinal);
        Assert.Contains("503", error.Body.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \r\n")]
    public void An_empty_body_gets_the_fallback_message(string body)
    {
        var error = ProviderErrors.FromResponse(503, Encoding.UTF8.GetBytes(body), "minimax", "minimax:minimax/*");

        Assert.Equal("Provider 'minimax' answered HTTP 503.", error.Body.Message);
        Assert.Equal(body, error.Body.UpstreamBody?.GetString());
    }
}
