using System.Net;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using static Router.EndToEnd.Tests.ErrorTests;
using static Router.EndToEnd.Tests.StreamingTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// Anthropic and Gemini failures reach an OpenAI client as debuggable errors: the provider's status
/// and own body, before the first byte as a real status, after it as an error event; and the provider
/// headers each needs, with the key never in a URL.
/// </summary>
[Collection("gateway")]
public sealed class TranslatedErrorTests(GatewayFixture gateway)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_Anthropic_rate_limit_keeps_its_status_retry_after_and_body()
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/chat/completions", Chat("claude/fail-429"), Ct);

        var error = await ErrorOf(response, HttpStatusCode.TooManyRequests);
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("provider", error["origin"]!.GetValue<string>());
        Assert.Equal(("claude", "claude:claude/*"), (error["provider"]!.GetValue<string>(), error["deployment"]!.GetValue<string>()));
        Assert.Equal("rate_limit_error", error["type"]!.GetValue<string>());
        Assert.Equal("error", error["upstream_body"]!["type"]!.GetValue<string>());
        Assert.Equal("rate_limit_error", error["upstream_body"]!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(response.Headers.GetValues("x-request-id").Single(), error["request_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("claude/overloaded")]
    [InlineData("claude/stream-error-first")]
    public async Task Anthropic_overload_before_any_content_is_a_real_529(string model)
    {
        using var http = gateway.Http();
        using var response = await PostStreamAsync(http, model, includeUsage: null);

        var error = await ErrorOf(response, (HttpStatusCode)529);
        Assert.Equal("overloaded_error", error["type"]!.GetValue<string>());
        Assert.Equal(529, error["upstream_status"]!.GetValue<int>());
        Assert.Equal("overloaded_error", error["upstream_body"]!["error"]!["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("claude/stream-error-mid", "overloaded_error", 529)]
    [InlineData("google/stream-error-mid", "api_error", 503)]
    public async Task A_provider_error_event_mid_stream_ends_the_stream_with_an_error_event_and_done(string model, string type, int status)
    {
        using var http = gateway.Http();
        using var response = await PostStreamAsync(http, model, includeUsage: null, text: "one two three four");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payloads = await Sse.ReadDataAsync(response, Ct);
        Assert.Equal("[DONE]", payloads[^1]);
        var chunks = Sse.Chunks(payloads).ToList();
        Assert.Contains(chunks, c => c["choices"]?.AsArray().Any(choice => choice!["delta"]?["content"] is not null) == true);
        var error = chunks[^1]["error"]!;
        Assert.Equal(type, error["type"]!.GetValue<string>());
        Assert.Equal("provider", error["origin"]!.GetValue<string>());
        Assert.Equal(status, error["upstream_status"]!.GetValue<int>());
        Assert.NotNull(error["upstream_body"]!["error"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_200_that_is_not_the_providers_format_is_a_502_naming_the_provider_not_a_500(bool stream)
    {
        using var http = gateway.Http();
        using var response = stream
            ? await PostStreamAsync(http, "claude/html-200", includeUsage: null)
            : await http.PostAsync("/v1/chat/completions", Chat("claude/html-200"), Ct);

        var error = await ErrorOf(response, HttpStatusCode.BadGateway);
        Assert.Equal("claude", error["provider"]!.GetValue<string>());
        Assert.Equal("upstream_connection_error", error["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_Gemini_refusal_keeps_its_status_and_body()
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/chat/completions", Chat("google/fail-400"), Ct);

        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal(("google", "google:google/*"), (error["provider"]!.GetValue<string>(), error["deployment"]!.GetValue<string>()));
        Assert.Equal("INVALID_ARGUMENT", error["upstream_body"]!["error"]!["status"]!.GetValue<string>());
        Assert.Equal(error["upstream_body"]!["error"]!["message"]!.GetValue<string>(), error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_Gemini_safety_block_is_a_content_filter_stop_with_the_reason_kept()
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/chat/completions", Chat("google/safety-block"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("content_filter", body["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal("SAFETY", body["choices"]![0]!["provider_finish_reason"]!.GetValue<string>());
        Assert.Equal("SAFETY", body["prompt_feedback"]!["blockReason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("claude/claude-sonnet-4-5")]
    [InlineData("google/gemini-2.5-flash")]
    public async Task Embeddings_on_a_translated_provider_are_refused_with_a_clear_400(string model)
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/embeddings", Json($$"""{"model":"{{model}}","input":"hi"}"""), Ct);

        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("unsupported_endpoint", error["code"]!.GetValue<string>());
        Assert.Equal("router", error["origin"]!.GetValue<string>());
    }

    [Fact]
    public async Task Anthropic_gets_its_own_key_header_and_version_and_the_clients_beta_header()
    {
        using var http = gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Chat("claude/claude-sonnet-4-5") };
        request.Headers.Add("anthropic-beta", "prompt-caching-2024-07-31");
        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = gateway.Mock.Received.Last(r => r.Path == "/anthropic/v1/messages").Headers;
        Assert.Equal(GatewayFixture.ProviderKey, headers["x-api-key"]);
        Assert.Equal("2023-06-01", headers["anthropic-version"]);
        Assert.Equal("prompt-caching-2024-07-31", headers["anthropic-beta"]);
        Assert.False(headers.ContainsKey("authorization"));
    }

    [Fact]
    public async Task Gemini_gets_its_key_in_a_header_never_in_the_url()
    {
        using var http = gateway.Http();
        using var response = await PostStreamAsync(http, "google/gemini-2.5-flash", includeUsage: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var chunks = Sse.Chunks(await Sse.ReadDataAsync(response, Ct)).ToList();
        Assert.Equal("a b c", string.Concat(chunks.Select(c => c["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>())));
        Assert.Single(chunks, c => c["choices"]!.AsArray().Count == 0 && c["usage"] is not null);
        var received = gateway.Mock.Received.Last(r => r.Path.StartsWith("/gemini/", StringComparison.Ordinal));
        Assert.Equal("/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", received.Path);
        Assert.Equal(GatewayFixture.ProviderKey, received.Headers["x-goog-api-key"]);
        Assert.False(received.Headers.ContainsKey("authorization"));
        Assert.DoesNotContain(GatewayFixture.ProviderKey, received.Path);
    }
}
