using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>A router with router.tracing.otlp-endpoint set sends its spans to a collector by OTLP/HTTP.</summary>
public sealed class TracingTests
{
    private const string MasterKey = "sk-e2e-tracing-master-2b8d4f6a1c3e5a7b9d0f";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string RequestIdOf(ClientResult result) =>
        result.GetRawResponse().Headers.TryGetValue("x-request-id", out var id) ? id! : throw new InvalidOperationException("no x-request-id");

    [Fact]
    public async Task Request_and_attempt_spans_reach_the_collector_with_request_id_and_model_and_never_the_key()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var mock = await MockOpenAiServer.StartAsync();
        await using var router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              # The collector's root address: the router adds /v1/traces, as OTEL_EXPORTER_OTLP_ENDPOINT is read.
              tracing { otlp-endpoint = "{{collector.Root}}", service-name = "router-e2e", export-delay = 200ms }
              cache.enabled = false
              retry { base-delay = 10ms, max-delay = 20ms, budget-ratio = 1.0, budget-min-per-second = 1000 }
              breaker { consecutive-failures-to-open = 1000, minimum-calls-in-window = 1000000 }
              providers { mock { type = openai-compatible, api-base = "{{mock.ApiBase}}" } }
              models = [
                { name = "traced-model", provider = mock, model = "echo-traced" }
                { name = "traced-flaky", provider = mock, model = "flaky-1-traced", retries = 1 }
              ]
            """);
        Assert.Contains("Tracing: OTLP http/protobuf to " + collector.Root + "/v1/traces", router.Output, StringComparison.Ordinal);

        // A virtual key with an alias: the alias and the key's display prefix are traced, its secret never.
        using var admin = router.CreateClient(MasterKey);
        using var generated = await admin.PostAsync("/key/generate", Json("""{"key_alias":"tracing-laptop"}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        var secret = (await generated.Content.ReadFromJsonAsync<JsonObject>(Ct))!["key"]!.GetValue<string>();
        var sdk = new OpenAIClient(new ApiKeyCredential(secret), new OpenAIClientOptions
        {
            Endpoint = new Uri(router.BaseUrl + "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

        var answered = await sdk.GetChatClient("traced-model").CompleteChatAsync([new UserChatMessage("hello tracing")], cancellationToken: Ct);
        var retried = await sdk.GetChatClient("traced-flaky").CompleteChatAsync([new UserChatMessage("again please")], cancellationToken: Ct);
        Assert.Equal("hello tracing", answered.Value.Content[0].Text);
        Assert.Equal("again please", retried.Value.Content[0].Text);
        var (answeredId, retriedId) = (RequestIdOf(answered), RequestIdOf(retried));

        await collector.WaitForAsync(TimeSpan.FromSeconds(20), answeredId, retriedId);
        Assert.All(collector.Received, r => Assert.Equal("application/x-protobuf", r.ContentType));
        foreach (var expected in new[]
                 {
                     "router-e2e", "Router", "chat.completions", "attempt", "traced-model", "traced-flaky", "mock",
                     "gen_ai.request.model", "gen_ai.usage.input_tokens", "router.attempt.verdict", "retry", "final", "tracing-laptop",
                 })
            Assert.True(collector.Holds(expected), $"the export lacks '{expected}'");
        Assert.False(collector.Holds(secret), "the key's secret was exported");
        Assert.False(collector.Holds(MasterKey), "the master key was exported");
        Assert.DoesNotContain(secret, router.Output, StringComparison.Ordinal);
        // The attempt span is current while the provider is called, and still no trace context leaves for it.
        Assert.NotEmpty(mock.Received);
        Assert.All(mock.Received, r => Assert.False(r.Headers.ContainsKey("traceparent") || r.Headers.ContainsKey("tracestate")));
    }
}
