using System.Net;
using System.Text.Json;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Configuration;
using Router.Host.Proxy;

namespace Router.Host.Tests.Proxy;

/// <summary>
/// One upstream call, in process (as YARP's HttpForwarderTests drive its forwarder): a provider stand-in
/// under the real <c>ProviderClient</c> and dialect, a client in memory, and what the forwarder tells the
/// answer sink and the retry loop (its <see cref="CallOutcome"/>).
/// </summary>
public sealed class UpstreamForwarderTests : IDisposable
{
    // Short stream-idle: the idle test waits it out.
    private const string Config = """
        providers {
          local { type = openai-compatible, api-base = "http://local.test/v1",
                  timeouts { connect = 1s, first-byte = 5s, stream-idle = 300ms, total = 30s } }
          claude { type = anthropic, api-base = "https://anthropic.test/v1", api-key = "k" }
        }
        models = [
          { name = "m", provider = local, model = "upstream-m" }
          { name = "c", provider = claude, model = "claude-upstream" }
        ]
        """;

    private const string JsonAnswer = """
        {"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}
        """;

    private readonly ClientConnection _client = new();

    public void Dispose() => _client.Dispose();

    /// <summary>Forwards <paramref name="request"/> (model "m" by default) to a provider that answers <paramref name="answer"/>.</summary>
    private async Task<(CallOutcome Outcome, RecordingSink Sink)> ForwardAsync(
        Func<HttpResponseMessage> answer, ProxyRequest? request = null, Action<byte[]>? observe = null, string config = Config)
    {
        using var routing = new DisposableRouting(Exchanges.Routing(config, _ => new FakeProvider(answer)));
        var exchange = Exchanges.For(routing.Config, _client, request ?? Exchanges.Request("m"), observe);
        var sink = new RecordingSink(_client);
        var deployment = exchange.Route.Deployment;
        var outcome = await new UpstreamForwarder().ForwardAsync(exchange, routing.Config.Providers.Get(deployment.ProviderName), exchange.Route,
            deployment, sink);
        return (outcome, sink);
    }

    [Fact]
    public async Task A_json_answer_is_relayed_with_its_status_and_charged_before_its_body_is_written()
    {
        var (outcome, sink) = await ForwardAsync(() => FakeProvider.Json(HttpStatusCode.OK, JsonAnswer));

        Assert.Equal((CallResult.Answered, null), (outcome.Result, outcome.Error));
        Assert.Equal(200, _client.Response.StatusCode);
        Assert.Equal(JsonAnswer, _client.Body);
        var (usage, bodyThen) = Assert.Single(sink.Charged);
        Assert.Equal((7, 3, false), (usage.PromptTokens, usage.CompletionTokens, usage.Estimated));
        Assert.Equal("", bodyThen);
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(400, false)]
    public async Task A_provider_refusal_is_a_failed_outcome_and_nothing_reaches_the_client(int status, bool providerFailed)
    {
        var (outcome, sink) = await ForwardAsync(() =>
            FakeProvider.Json((HttpStatusCode)status, """{"error":{"message":"no","type":"x"}}"""));

        Assert.Equal(providerFailed ? CallResult.ProviderFailed : CallResult.Answered, outcome.Result);
        Assert.Equal(status, outcome.Error?.Body.UpstreamStatus);
        Assert.False(_client.Response.HasStarted);
        Assert.Equal("", _client.Body);
        Assert.Empty(sink.Charged);
    }

    [Fact]
    public async Task A_200_whose_body_is_not_the_providers_format_is_a_502_provider_failure()
    {
        // JSON, but no Messages API answer: Anthropic answers an object.
        var (outcome, sink) = await ForwardAsync(() => FakeProvider.Json(HttpStatusCode.OK, """["not","a","message"]"""), Exchanges.Request("c"));

        Assert.Equal((CallResult.ProviderFailed, 502), (outcome.Result, outcome.Error?.Status));
        Assert.Equal("", _client.Body);
        Assert.Empty(sink.Charged);
    }

    [Fact]
    public async Task A_stream_is_relayed_frame_by_frame_and_charged_before_its_done()
    {
        var frames = new List<string>();
        var (outcome, sink) = await ForwardAsync(
            () => FakeProvider.Stream(FakeProvider.Chunk("hel"), FakeProvider.Chunk("lo"), FakeProvider.UsageChunk(7, 2), FakeProvider.Done),
            Exchanges.Request("m", stream: true), frame => frames.Add(System.Text.Encoding.UTF8.GetString(frame)));

        Assert.Equal((CallResult.Answered, null), (outcome.Result, outcome.Error));
        Assert.StartsWith("text/event-stream", _client.Response.ContentType, StringComparison.Ordinal);
        // The usage chunk the router asked for upstream is not the client's: it did not ask.
        Assert.Equal([FakeProvider.Chunk("hel"), FakeProvider.Chunk("lo"), FakeProvider.Done], frames);
        Assert.Equal(string.Concat(frames), _client.Body);
        var (usage, bodyThen) = Assert.Single(sink.Ending);
        Assert.Equal((7, 2, false), (usage.PromptTokens, usage.CompletionTokens, usage.Estimated));
        Assert.DoesNotContain("[DONE]", bodyThen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_the_provider_cuts_ends_with_an_error_event_and_done_and_is_charged_an_estimate()
    {
        var (outcome, _) = await ForwardAsync(
            () => FakeProvider.Stream(FakeProvider.Chunk("hel"), new IOException("Connection reset by peer")), Exchanges.Request("m", stream: true));

        AssertBrokenOff(outcome, "broke mid-stream");
    }

    [Fact]
    public async Task A_stream_idle_past_its_stream_idle_timeout_ends_the_same_way()
    {
        var (outcome, _) = await ForwardAsync(
            () => FakeProvider.Stream(FakeProvider.Chunk("hel"), ScriptedStream.Hang), Exchanges.Request("m", stream: true));

        AssertBrokenOff(outcome, "stream-idle timeout");
    }

    [Fact]
    public async Task A_stream_still_going_at_its_total_timeout_ends_the_same_way_naming_that_limit()
    {
        var config = Config.Replace("first-byte = 5s, stream-idle = 300ms, total = 30s", "first-byte = 5s, stream-idle = 20s, total = 1s");
        var (outcome, _) = await ForwardAsync(
            () => FakeProvider.Stream(FakeProvider.Chunk("hel"), ScriptedStream.Hang), Exchanges.Request("m", stream: true), config: config);

        AssertBrokenOff(outcome, "still streaming at its total timeout of 1 s");
    }

    [Fact]
    public async Task A_stream_with_no_first_event_within_the_first_byte_timeout_is_a_504_naming_that_limit()
    {
        var config = Config.Replace("first-byte = 5s, stream-idle = 300ms, total = 30s", "first-byte = 300ms, stream-idle = 20s, total = 30s");
        var (outcome, _) = await ForwardAsync(() => FakeProvider.Stream(ScriptedStream.Hang), Exchanges.Request("m", stream: true), config: config);

        Assert.Equal(CallResult.ProviderFailed, outcome.Result);
        Assert.Equal(504, outcome.Error!.Status);
        Assert.Contains("its first-byte timeout of 0.3 s", outcome.Error.Body.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_whose_body_stops_coming_is_cut_by_the_total_timeout_not_the_first_bytes_limit()
    {
        // The headers came at once: from then on only the total bounds the read (3 s), not the first byte's limit (1 s).
        var config = Config.Replace("first-byte = 5s, stream-idle = 300ms, total = 30s", "first-byte = 1s, stream-idle = 20s, total = 3s");
        var started = DateTime.UtcNow;
        var (outcome, _) = await ForwardAsync(() => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new ScriptedStream(["{\"id\":", ScriptedStream.Hang])) { Headers = { ContentType = new("application/json") } },
        }, config: config);

        Assert.Equal(CallResult.ProviderFailed, outcome.Result);
        Assert.Equal(504, outcome.Error!.Status);
        Assert.Contains("its total timeout of 3 s", outcome.Error.Body.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(2.9), "the read outlived the first byte's limit");
    }

    private void AssertBrokenOff(CallOutcome outcome, string cause)
    {
        Assert.Equal(CallResult.ProviderFailed, outcome.Result);
        Assert.True(outcome.Usage.Estimated);
        Assert.True(outcome.Usage.PromptTokens > 0);
        var body = _client.Body;
        Assert.StartsWith(FakeProvider.Chunk("hel"), body, StringComparison.Ordinal);
        Assert.Contains(cause, body, StringComparison.Ordinal);
        Assert.EndsWith(FakeProvider.Done, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_leaves_mid_stream_abandons_the_call_and_is_charged_an_estimate()
    {
        var (outcome, sink) = await ForwardAsync(
            () => FakeProvider.Stream(FakeProvider.Chunk("hel"), FakeProvider.Chunk("lo"), ScriptedStream.Hang),
            Exchanges.Request("m", stream: true), _ => _client.Leave());

        Assert.Equal((CallResult.Abandoned, null), (outcome.Result, outcome.Error));
        Assert.True(outcome.Usage.Estimated);
        Assert.Empty(sink.Ending);
    }

    [Fact]
    public async Task The_clients_request_is_left_as_it_came()
    {
        // A stream: the dialect asks for usage upstream, which the client's request did not.
        var request = Exchanges.Request("m", stream: true);
        var before = JsonSerializer.Serialize(request, WireJsonContext.Wire.ProxyRequest);

        await ForwardAsync(() => FakeProvider.Stream(FakeProvider.Chunk("hi"), FakeProvider.Done), request);

        Assert.Equal(before, JsonSerializer.Serialize(request, WireJsonContext.Wire.ProxyRequest));
        Assert.Equal("m", request.Model);
    }

    /// <summary>What the forwarder charged, and what the client had been sent at that moment.</summary>
    private sealed class RecordingSink(ClientConnection client) : IAnswerSink
    {
        public List<(TokenUsage Usage, string BodyThen)> Charged { get; } = [];
        public List<(TokenUsage Usage, string BodyThen)> Ending { get; } = [];

        public ValueTask OnAnswer(TokenUsage usage)
        {
            Charged.Add((usage, client.Body));
            return ValueTask.CompletedTask;
        }

        public ValueTask OnStreamEnding(TokenUsage usage)
        {
            Ending.Add((usage, client.Body));
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The configuration's provider clients are disposed with it.</summary>
    private sealed class DisposableRouting(RoutingConfig config) : IDisposable
    {
        public RoutingConfig Config => config;
        public void Dispose() => config.Providers.Dispose();
    }
}
