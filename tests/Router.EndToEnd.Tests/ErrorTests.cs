using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;

namespace Router.EndToEnd.Tests;

/// <summary>
/// Every failure answers with OpenAI's error envelope, the right status, who failed (<c>origin</c>), the
/// provider's own body unchanged, and the request id in <c>x-request-id</c>; never a 500 of our own.
/// </summary>
[Collection("gateway")]
public sealed class ErrorTests(GatewayFixture gateway)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_provider_refusal_keeps_its_status_and_body_and_names_the_provider()
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/chat/completions", Chat("mock/fail-400"), Ct);

        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("provider", error["origin"]!.GetValue<string>());
        Assert.Equal("mock", error["provider"]!.GetValue<string>());
        Assert.Equal("mock:mock/*", error["deployment"]!.GetValue<string>());
        Assert.Equal(400, error["upstream_status"]!.GetValue<int>());
        Assert.Equal("invalid_value", error["code"]!.GetValue<string>());
        Assert.Equal("temperature", error["param"]!.GetValue<string>());
        Assert.Equal("invalid_value", error["upstream_body"]!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(response.Headers.GetValues("x-request-id").Single(), error["request_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_provider_rate_limit_keeps_429_and_its_retry_after()
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/chat/completions", Chat("mock/fail-429"), Ct);

        var error = await ErrorOf(response, HttpStatusCode.TooManyRequests);
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("rate_limit_exceeded", error["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_callers_request_id_is_echoed()
    {
        using var http = gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Chat("mock/fail-500") };
        request.Headers.Add("x-request-id", "caller-id-123");
        using var response = await http.SendAsync(request, Ct);

        var error = await ErrorOf(response, HttpStatusCode.InternalServerError);
        Assert.Equal("caller-id-123", response.Headers.GetValues("x-request-id").Single());
        Assert.Equal("caller-id-123", error["request_id"]!.GetValue<string>());
        Assert.Equal("provider", error["origin"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null, "missing_api_key")]
    [InlineData("sk-wrong", "invalid_api_key")]
    public async Task Requests_without_a_valid_key_get_401(string? key, string code)
    {
        using var http = gateway.Http(key);
        var reachedProvider = gateway.Mock.Received.Count;
        using var response = await http.PostAsync("/v1/chat/completions", Chat("gpt-4o-mini"), Ct);

        var error = await ErrorOf(response, HttpStatusCode.Unauthorized);
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.Equal("router", error["origin"]!.GetValue<string>());
        Assert.Equal(reachedProvider, gateway.Mock.Received.Count);
    }

    [Fact]
    public async Task Models_also_needs_a_key()
    {
        using var http = gateway.Http(null);
        using var response = await http.GetAsync("/v1/models", Ct);
        await ErrorOf(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("{", "invalid_json", null)]
    [InlineData("[1,2]", "invalid_json", null)]
    [InlineData("""{"model": 5, "messages": []}""", "invalid_json", null)]
    [InlineData("""{"messages": [{"role":"user","content":"x"}]}""", "missing_model", "model")]
    [InlineData("""{"model": "gpt-4o-mini"}""", "missing_messages", "messages")]
    [InlineData("""{"model": "gpt-4o-mini", "messages": "hi"}""", "missing_messages", "messages")]
    [InlineData("""{"model": "gpt-4o-mini", "messages": []}""", "empty_messages", "messages")]
    public async Task Malformed_requests_get_400_naming_the_problem(string body, string code, string? param)
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.Equal(param, error["param"]?.GetValue<string>());
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(257, "")]
    [InlineData(8, "\n")]
    [InlineData(8, "\u0000")]
    [InlineData(8, "\u0085")]
    public async Task A_model_name_too_long_or_with_control_characters_is_refused_naming_model(int length, string control)
    {
        using var http = gateway.Http();
        var model = new string('m', length) + control;
        using var response = await http.PostAsJsonAsync("/v1/chat/completions", new { model, messages = new[] { new { role = "user", content = "x" } } }, Ct);

        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_model", error["code"]!.GetValue<string>());
        Assert.Equal("model", error["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_model_name_of_256_characters_is_routed()
    {
        using var http = gateway.Http();
        using var response = await http.PostAsJsonAsync("/v1/chat/completions",
            new { model = new string('m', 256), messages = new[] { new { role = "user", content = "x" } } }, Ct);

        Assert.DoesNotContain("invalid_model", await response.Content.ReadAsStringAsync(Ct)); // routed as any other name
    }

    [Fact]
    public async Task Embeddings_and_completions_check_their_own_required_fields()
    {
        using var http = gateway.Http();
        using var embeddings = await http.PostAsync("/v1/embeddings", Json("""{"model":"text-embedding-3-small"}"""), Ct);
        Assert.Equal("input", (await ErrorOf(embeddings, HttpStatusCode.BadRequest))["param"]!.GetValue<string>());

        using var completions = await http.PostAsync("/v1/completions", Json("""{"model":"gpt-4o-mini"}"""), Ct);
        Assert.Equal("prompt", (await ErrorOf(completions, HttpStatusCode.BadRequest))["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_oversized_body_gets_413()
    {
        using var http = gateway.Http();
        var huge = new string('a', 100_000);
        using var response = await http.PostAsync("/v1/chat/completions", Chat("gpt-4o-mini", huge), Ct);

        var error = await ErrorOf(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("request_too_large", error["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_oversized_chunked_body_without_length_gets_413()
    {
        using var http = gateway.Http();
        var content = new PushStreamContentWithoutLength(Encoding.UTF8.GetBytes(
            $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{new string('a', 100_000)}}"}]}"""));
        using var response = await http.PostAsync("/v1/chat/completions", content, Ct);

        await ErrorOf(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task An_unknown_model_gets_404()
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/chat/completions", Chat("claude-9"), Ct);

        var error = await ErrorOf(response, HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error["code"]!.GetValue<string>());
        Assert.Equal("model", error["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_wrong_method_gets_a_405_envelope()
    {
        using var http = gateway.Http();
        using var response = await http.GetAsync("/v1/chat/completions", Ct);

        var error = await ErrorOf(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("method_not_allowed", error["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_path_gets_a_404_envelope()
    {
        using var http = gateway.Http();
        using var response = await http.GetAsync("/v1/nothing-here", Ct);
        await ErrorOf(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_provider_that_refuses_connections_gives_502_from_the_router()
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/chat/completions", Chat("dead-model"), Ct);

        var error = await ErrorOf(response, HttpStatusCode.BadGateway);
        Assert.Equal("router", error["origin"]!.GetValue<string>());
        Assert.Equal("upstream_connection_error", error["code"]!.GetValue<string>());
        Assert.Equal("dead", error["provider"]!.GetValue<string>());
        Assert.Contains("refused", error["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_provider_cutting_its_answer_short_gives_502_from_the_router()
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/chat/completions", Chat("mock/die-mid-body"), Ct);

        var error = await ErrorOf(response, HttpStatusCode.BadGateway);
        Assert.Equal("router", error["origin"]!.GetValue<string>());
        Assert.Equal("upstream_connection_error", error["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_provider_slower_than_its_first_byte_timeout_gives_504()
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/chat/completions", Chat("strict/slow"), Ct);

        var error = await ErrorOf(response, HttpStatusCode.GatewayTimeout);
        Assert.Equal("router", error["origin"]!.GetValue<string>());
        Assert.Equal("upstream_timeout", error["code"]!.GetValue<string>());
        Assert.Contains("first-byte", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Error_bodies_and_the_router_log_never_contain_a_secret()
    {
        using var http = gateway.Http();
        foreach (var model in new[] { "mock/fail-400", "dead-model", "strict/slow", "claude-9" })
        {
            using var response = await http.PostAsync("/v1/chat/completions", Chat(model), Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.DoesNotContain(GatewayFixture.ProviderKey, body);
            Assert.DoesNotContain(GatewayFixture.MasterKey, body);
        }
        Assert.DoesNotContain(GatewayFixture.ProviderKey, gateway.Router.Output);
        Assert.DoesNotContain(GatewayFixture.MasterKey, gateway.Router.Output);
    }

    internal static StringContent Chat(string model, string text = "hello") =>
        Json($$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{text}}"}]}""");

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    internal static async Task<JsonObject> ErrorOf(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.Contains("x-request-id"));
        var error = JsonNode.Parse(text)!["error"]!.AsObject();
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
        Assert.False(string.IsNullOrWhiteSpace(error["type"]!.GetValue<string>()));
        return error;
    }

    /// <summary>Sends a body with chunked transfer encoding, so the router cannot refuse it by its length.</summary>
    private sealed class PushStreamContentWithoutLength(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
