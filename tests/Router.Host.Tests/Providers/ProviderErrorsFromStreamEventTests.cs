using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;
using Router.Host.Providers;

namespace Router.Host.Tests.Providers;

public sealed class ProviderErrorsFromStreamEventTests
{
    private static Http.RouterError FromEvent(string data)
    {
        var bytes = Encoding.UTF8.GetBytes(data);
        using var document = JsonDocument.Parse(bytes);
        return ProviderErrors.FromStreamEvent(document.RootElement.GetProperty("error").Clone(), bytes, "openrouter", "openrouter:*");
    }

    [Theory]
    [InlineData(429)]
    [InlineData(400)]
    [InlineData(599)]
    public void A_code_that_is_an_HTTP_error_status_is_the_status(int code)
    {
        var error = FromEvent($$$"""{"error":{"message":"m","code":{{{code}}}}}""");

        Assert.Equal(code, error.Status);
        Assert.Equal(code, error.Body.UpstreamStatus);
    }

    [Theory]
    [InlineData("""{"error":{"message":"m","code":"rate_limit_exceeded"}}""")]
    [InlineData("""{"error":{"message":"m","code":"429"}}""")]
    [InlineData("""{"error":{"message":"m","code":200}}""")]
    [InlineData("""{"error":{"message":"m","code":1000}}""")]
    [InlineData("""{"error":{"message":"m"}}""")]
    [InlineData("""{"error":"plain text"}""")]
    public void Any_other_code_gives_502(string data) => Assert.Equal(502, FromEvent(data).Status);

    [Fact]
    public void The_event_is_described_like_a_response_and_kept_unchanged()
    {
        const string data = """{"id":"gen-1","error":{"message":"Provider returned error","code":502,"metadata":{"raw":"upstream timeout"}}}""";

        var error = FromEvent(data);

        Assert.Equal("Provider returned error", error.Body.Message);
        Assert.Equal(ErrorOrigin.Provider, error.Body.Origin);
        Assert.Equal(("openrouter", "openrouter:*"), (error.Body.Provider, error.Body.Deployment));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(data), JsonNode.Parse(error.Body.UpstreamBody!.Value.GetRawText())));
    }
}
