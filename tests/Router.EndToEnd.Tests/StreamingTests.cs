using System.Net;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// Streams are relayed as they arrive; usage is always captured; failures before the first data keep
/// a real status, failures after it end the stream with an error event and [DONE].
/// </summary>
[Collection("gateway")]
public sealed class StreamingTests(GatewayFixture gateway)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Usage_is_asked_of_the_provider_but_not_shown_to_a_client_that_did_not_ask()
    {
        using var http = gateway.Http();
        using var response = await PostStreamAsync(http, "gpt-4o-mini", includeUsage: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var payloads = await Sse.ReadDataAsync(response, Ct);
        Assert.Equal("[DONE]", payloads[^1]);
        var chunks = Sse.Chunks(payloads).ToList();
        Assert.DoesNotContain(chunks, c => c["choices"]!.AsArray().Count == 0);
        Assert.Equal("a b c", string.Concat(chunks.Select(c => c["choices"]![0]!["delta"]!["content"]?.GetValue<string>())));

        var upstream = gateway.Mock.Received.Last(r => r.Path == "/v1/chat/completions").Body;
        Assert.True(upstream["stream_options"]!["include_usage"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_client_that_asked_for_usage_gets_the_usage_chunk()
    {
        using var http = gateway.Http();
        using var response = await PostStreamAsync(http, "gpt-4o-mini", includeUsage: true);

        var chunks = Sse.Chunks(await Sse.ReadDataAsync(response, Ct)).ToList();
        var usage = Assert.Single(chunks, c => c["choices"]!.AsArray().Count == 0);
        Assert.Equal(3, usage["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Legacy_completions_stream_too()
    {
        using var http = gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = Json("""{"model":"gpt-4o-mini","prompt":"say this","stream":true}"""),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);

        var chunks = Sse.Chunks(await Sse.ReadDataAsync(response, Ct)).ToList();
        Assert.Equal("say this", string.Concat(chunks.Select(c => c["choices"]![0]!["text"]!.GetValue<string>())));
    }

    [Fact]
    public async Task An_error_as_the_first_event_keeps_a_real_status()
    {
        using var http = gateway.Http();
        using var response = await PostStreamAsync(http, "mock/stream-error-first", includeUsage: null);

        var error = await ErrorOf(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("provider", error["origin"]!.GetValue<string>());
        Assert.Contains("overloaded", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stream_cut_before_any_data_gives_502_not_a_broken_200()
    {
        using var http = gateway.Http();
        using var response = await PostStreamAsync(http, "mock/stream-cut-first", includeUsage: null);

        var error = await ErrorOf(response, HttpStatusCode.BadGateway);
        Assert.Equal("router", error["origin"]!.GetValue<string>());
        Assert.Equal("mock", error["provider"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_provider_dying_mid_stream_ends_the_stream_with_an_error_event_and_done()
    {
        using var http = gateway.Http();
        using var response = await PostStreamAsync(http, "mock/stream-die", includeUsage: null, text: "one two three four");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payloads = await Sse.ReadDataAsync(response, Ct);
        Assert.Equal("[DONE]", payloads[^1]);
        var error = JsonNode.Parse(payloads[^2])!["error"]!;
        Assert.Equal("router", error["origin"]!.GetValue<string>());
        Assert.Equal("mock", error["provider"]!.GetValue<string>());
        Assert.Contains("one two", string.Concat(Sse.Chunks(payloads[..^2]).Select(c => c["choices"]![0]!["delta"]!["content"]?.GetValue<string>())).Trim());
    }

    [Fact]
    public async Task A_stream_silent_past_its_idle_timeout_ends_with_an_error_event()
    {
        using var http = gateway.Http();
        using var response = await PostStreamAsync(http, "strict/stream-stall", includeUsage: null, text: "one two three");

        var payloads = await Sse.ReadDataAsync(response, Ct);
        Assert.Equal("[DONE]", payloads[^1]);
        Assert.Contains("stream-idle", JsonNode.Parse(payloads[^2])!["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_that_disconnects_cancels_the_upstream_request()
    {
        var cancelledBefore = gateway.Mock.CancelledRequests;
        using (var http = gateway.Http())
        {
            // 'mock' waits 30 s on a silent stream, so only the client's leaving can end this one early.
            using var response = await PostStreamAsync(http, "mock/stream-stall", includeUsage: null, text: "one two three");
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
            Assert.StartsWith("data: ", await reader.ReadLineAsync(Ct));
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (gateway.Mock.CancelledRequests == cancelledBefore && DateTime.UtcNow < deadline) await Task.Delay(50, Ct);
        Assert.True(gateway.Mock.CancelledRequests > cancelledBefore, "the provider's request was not cancelled");
    }

    internal static Task<HttpResponseMessage> PostStreamAsync(HttpClient http, string model, bool? includeUsage, string text = "a b c")
    {
        var streamOptions = includeUsage is null ? "" : $$""","stream_options":{"include_usage":{{includeUsage.Value.ToString().ToLowerInvariant()}}}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json($$"""{"model":"{{model}}","stream":true{{streamOptions}},"messages":[{"role":"user","content":"{{text}}"}]}"""),
        };
        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
    }
}
