using System.Diagnostics;
using System.Net;
using System.Text;
using Router.Actors.Routing;
using Router.Host.Tracing;
using Router.MockUpstream;

namespace Router.Host.Tests.Tracing;

/// <summary>A router in this process in front of one mock provider, tracing off in its config (the tests listen themselves).</summary>
public sealed class TracedRouterFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-tracing-master-7d1c2e9f4a6b8c0d5e3f";

    public MockOpenAiServer Mock { get; private set; } = null!;
    public InProcessRouter Router { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Mock = await MockOpenAiServer.StartAsync();
        Router = await InProcessRouter.StartAsync($$"""
              master-key = "{{MasterKey}}"
              retry { base-delay = 10ms, max-delay = 20ms, budget-ratio = 1.0, budget-min-per-second = 1000 }
              breaker { consecutive-failures-to-open = 1000, minimum-calls-in-window = 1000000 }
              providers { mock { type = openai-compatible, api-base = "{{Mock.ApiBase}}" } }
              models = [
                { name = "m", provider = mock, model = "echo-m" }
                { name = "flaky", provider = mock, model = "flaky-1-tracing", retries = 1 }
                { name = "bad", provider = mock, model = "fail-400" }
                { name = "primary", provider = mock, model = "fail-500", retries = 0, fallbacks = ["backup"] }
                { name = "backup", provider = mock, model = "echo-backup" }
              ]
              prices { "m" { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 } }
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Mock.DisposeAsync();
    }
}

[Collection("tracing")]
public sealed class RequestSpansTests(TracedRouterFixture fixture) : IClassFixture<TracedRouterFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => "trace-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<HttpResponseMessage> SendAsync(
        string requestId, string model, string text, string? key = TracedRouterFixture.MasterKey, string? traceparent = null, bool stream = false)
    {
        using var http = fixture.Router.CreateClient(key);
        var body = stream
            ? $$"""{"model":"{{model}}","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"{{text}}"}]}"""
            : $$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{text}}"}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-request-id", requestId);
        if (traceparent is not null) request.Headers.Add("traceparent", traceparent);
        var response = await http.SendAsync(request, Ct);
        await response.Content.LoadIntoBufferAsync(Ct);
        return response;
    }

    private static object? Tag(Activity span, string name) => span.GetTagItem(name);

    /// <summary>No attribute of any span holds the secret.</summary>
    private static void AssertNoSecret(IEnumerable<Activity> spans, string secret)
    {
        foreach (var span in spans)
        foreach (var (name, value) in span.TagObjects)
            Assert.False(value?.ToString()?.Contains(secret, StringComparison.Ordinal) == true, $"{span.OperationName} {name} holds the key");
    }

    [Fact]
    public async Task An_answered_request_is_a_server_span_with_one_attempt_span_under_it()
    {
        using var spans = new SpanCollector();
        var id = NewId();
        const string text = "one two three four";

        using var response = await SendAsync(id, "m", $"{text} {id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (request, attempts) = await spans.TraceOfAsync(id);

        Assert.Equal("chat.completions", request.OperationName);
        Assert.Equal(ActivityKind.Server, request.Kind);
        Assert.Equal(ActivityStatusCode.Unset, request.Status);
        Assert.Equal("chat", Tag(request, SpanAttributeNames.OperationName));
        Assert.Equal("m", Tag(request, SpanAttributeNames.RequestModel));
        Assert.Equal("m", Tag(request, SpanAttributeNames.ResponseModel));
        Assert.Equal("mock", Tag(request, SpanAttributeNames.ProviderName));
        Assert.False(string.IsNullOrEmpty(Tag(request, SpanAttributeNames.Deployment) as string));
        Assert.Equal(200, Tag(request, SpanAttributeNames.HttpStatus));
        var promptTokens = MockAnswer.PromptTokens($"{text} {id}");
        var completionTokens = MockAnswer.SplitWords($"{text} {id}").Count;
        Assert.Equal(promptTokens, Tag(request, SpanAttributeNames.InputTokens));
        Assert.Equal(completionTokens, Tag(request, SpanAttributeNames.OutputTokens));
        Assert.Equal(promptTokens * 0.000001 + completionTokens * 0.000002, (double)Tag(request, SpanAttributeNames.CostUsd)!, 12);
        Assert.Equal("miss", Tag(request, SpanAttributeNames.Cache));
        Assert.Equal(1, Tag(request, SpanAttributeNames.Attempts));
        Assert.Equal("master", Tag(request, SpanAttributeNames.KeyAlias));
        Assert.Equal("sk-tracing…", Tag(request, SpanAttributeNames.KeyPrefix));
        Assert.Null(Tag(request, SpanAttributeNames.ErrorType));

        var attempt = Assert.Single(attempts);
        Assert.Equal(AttemptSpans.Name, attempt.OperationName);
        Assert.Equal(ActivityKind.Client, attempt.Kind);
        Assert.Equal(ActivityStatusCode.Unset, attempt.Status);
        Assert.Equal(1, Tag(attempt, SpanAttributeNames.AttemptNumber));
        Assert.Equal("mock", Tag(attempt, SpanAttributeNames.ProviderName));
        Assert.Equal(Tag(request, SpanAttributeNames.Deployment), Tag(attempt, SpanAttributeNames.Deployment));
        Assert.Equal(200, Tag(attempt, SpanAttributeNames.HttpStatus));
        Assert.Equal("final", Tag(attempt, SpanAttributeNames.AttemptVerdict));
        Assert.True((double)Tag(attempt, SpanAttributeNames.AttemptLatencyMs)! > 0);
        Assert.True(attempt.StartTimeUtc >= request.StartTimeUtc && attempt.Duration <= request.Duration);
        AssertNoSecret([request, attempt], TracedRouterFixture.MasterKey);
    }

    [Fact]
    public async Task A_retried_request_has_an_attempt_span_per_try_with_its_verdict()
    {
        using var spans = new SpanCollector();
        var id = NewId();

        using var response = await SendAsync(id, "flaky", $"retry me {id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (request, attempts) = await spans.TraceOfAsync(id);

        Assert.Equal(ActivityStatusCode.Unset, request.Status);
        Assert.Equal(2, Tag(request, SpanAttributeNames.Attempts));
        Assert.Equal(2, attempts.Count);
        var (failed, answered) = (attempts[0], attempts[1]);
        Assert.Equal((1, 500, "retry", "provider"), (Tag(failed, SpanAttributeNames.AttemptNumber), Tag(failed, SpanAttributeNames.HttpStatus),
            Tag(failed, SpanAttributeNames.AttemptVerdict), Tag(failed, SpanAttributeNames.ErrorOrigin)));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal((2, 200, "final"), (Tag(answered, SpanAttributeNames.AttemptNumber), Tag(answered, SpanAttributeNames.HttpStatus),
            Tag(answered, SpanAttributeNames.AttemptVerdict)));
        Assert.Equal(ActivityStatusCode.Unset, answered.Status);
        Assert.True(answered.StartTimeUtc >= failed.StartTimeUtc + failed.Duration);
    }

    [Fact]
    public async Task A_fallback_shows_the_model_that_answered()
    {
        using var spans = new SpanCollector();
        var id = NewId();

        using var response = await SendAsync(id, "primary", $"fall back {id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (request, attempts) = await spans.TraceOfAsync(id);

        Assert.Equal(("primary", "backup"), (Tag(request, SpanAttributeNames.RequestModel), Tag(request, SpanAttributeNames.ResponseModel)));
        Assert.Equal(["retry", "final"], attempts.Select(a => Tag(a, SpanAttributeNames.AttemptVerdict)));
        Assert.Equal([ActivityStatusCode.Error, ActivityStatusCode.Unset], attempts.Select(a => a.Status));
    }

    [Fact]
    public async Task A_failed_request_marks_its_span_and_its_attempt_as_errors()
    {
        using var spans = new SpanCollector();
        var id = NewId();

        using var response = await SendAsync(id, "bad", $"refused {id}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (request, attempts) = await spans.TraceOfAsync(id);

        Assert.Equal(ActivityStatusCode.Error, request.Status);
        Assert.Equal(400, Tag(request, SpanAttributeNames.HttpStatus));
        Assert.Equal(400, Tag(request, SpanAttributeNames.UpstreamStatus));
        Assert.Equal("provider", Tag(request, SpanAttributeNames.ErrorOrigin));
        Assert.Equal("invalid_value", Tag(request, SpanAttributeNames.ErrorType));
        var attempt = Assert.Single(attempts);
        Assert.Equal(ActivityStatusCode.Error, attempt.Status);
        Assert.Equal((400, "caller_error"), (Tag(attempt, SpanAttributeNames.HttpStatus), Tag(attempt, SpanAttributeNames.AttemptVerdict)));
    }

    [Fact]
    public async Task A_request_the_router_refuses_has_no_attempt_span_and_never_the_presented_key()
    {
        using var spans = new SpanCollector();
        var unknownModel = NewId();
        var badKey = NewId();
        const string wrongSecret = "sk-not-a-key-of-this-router-5f0e1d2c3b4a";

        using var notFound = await SendAsync(unknownModel, "no-such-model", "hello");
        using var unauthorized = await SendAsync(badKey, "m", "hello", key: wrongSecret);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        var (missing, missingAttempts) = await spans.TraceOfAsync(unknownModel);
        var (refused, refusedAttempts) = await spans.TraceOfAsync(badKey);

        Assert.Empty(missingAttempts);
        Assert.Empty(refusedAttempts);
        Assert.Equal((ActivityStatusCode.Error, 404, "router"), (missing.Status, Tag(missing, SpanAttributeNames.HttpStatus), Tag(missing, SpanAttributeNames.ErrorOrigin)));
        Assert.Equal("no-such-model", Tag(missing, SpanAttributeNames.RequestModel));
        Assert.Equal((ActivityStatusCode.Error, 401), (refused.Status, Tag(refused, SpanAttributeNames.HttpStatus)));
        Assert.Null(Tag(refused, SpanAttributeNames.KeyPrefix));
        AssertNoSecret(spans.Stopped, wrongSecret);
        AssertNoSecret(spans.Stopped, TracedRouterFixture.MasterKey);
    }

    [Fact]
    public async Task A_cache_hit_is_a_span_without_attempts()
    {
        using var spans = new SpanCollector();
        var text = $"cache me {NewId()}";

        using var miss = await SendAsync(NewId(), "m", text);
        // The answer is stored as the request ends, a moment after the client has it.
        string second;
        for (var tries = 0; ; tries++)
        {
            second = NewId();
            using var again = await SendAsync(second, "m", text);
            if (again.Headers.GetValues("x-router-cache").Single() == "hit") break;
            Assert.True(tries < 50, "the answer was never served from the cache");
            await Task.Delay(20, Ct);
        }
        var (request, attempts) = await spans.TraceOfAsync(second);

        Assert.Empty(attempts);
        Assert.Equal("hit", Tag(request, SpanAttributeNames.Cache));
        Assert.True((double)Tag(request, SpanAttributeNames.CacheSavedCostUsd)! > 0);
        Assert.Equal(200, Tag(request, SpanAttributeNames.HttpStatus));
    }

    [Fact]
    public async Task A_streamed_request_records_its_time_to_first_token()
    {
        using var spans = new SpanCollector();
        var id = NewId();

        using var response = await SendAsync(id, "m", $"stream these words {id}", stream: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (request, attempts) = await spans.TraceOfAsync(id);

        Assert.True((double)Tag(request, SpanAttributeNames.TtftMs)! > 0);
        Assert.Equal(MockAnswer.SplitWords($"stream these words {id}").Count, Tag(request, SpanAttributeNames.OutputTokens));
        Assert.Equal("final", Tag(Assert.Single(attempts), SpanAttributeNames.AttemptVerdict));
    }

    [Fact]
    public async Task The_callers_traceparent_is_the_parent_of_the_request_span()
    {
        using var spans = new SpanCollector();
        var id = NewId();
        var traceId = ActivityTraceId.CreateRandom();
        var parentId = ActivitySpanId.CreateRandom();

        using var response = await SendAsync(id, "m", $"joined trace {id}", traceparent: $"00-{traceId}-{parentId}-01");
        var (request, attempts) = await spans.TraceOfAsync(id);

        Assert.Equal(traceId, request.TraceId);
        Assert.Equal(parentId, request.ParentSpanId);
        Assert.True(request.HasRemoteParent);
        Assert.Equal(traceId, Assert.Single(attempts).TraceId);
    }

    [Fact]
    public async Task A_caller_without_a_valid_key_does_not_join_its_traceparent()
    {
        using var spans = new SpanCollector();
        var id = NewId();
        var traceId = ActivityTraceId.CreateRandom();

        using var response = await SendAsync(id, "m", "hello", key: "sk-not-a-key-of-this-router-7a6b5c4d3e2f",
            traceparent: $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var (request, _) = await spans.TraceOfAsync(id);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(traceId, request.TraceId); // a trace of its own, sampled at the router's ratio
        Assert.False(request.HasRemoteParent);
    }
}
