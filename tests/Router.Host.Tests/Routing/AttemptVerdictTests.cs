using System.Text;
using Router.Actors.Routing;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Providers;
using Router.Host.Proxy;
using Router.Host.Routing;

namespace Router.Host.Tests.Routing;

public sealed class AttemptVerdictTests
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(40);

    private static AttemptVerdict Of(CallOutcome outcome, bool responseStarted) => outcome.Verdict(responseStarted);

    private static CallOutcome Provider(int status, string body = """{"error":{"message":"failed"}}""") =>
        CallOutcome.Failed(ProviderErrors.FromResponse(status, Encoding.UTF8.GetBytes(body), "p", "p:m"),
            providerFailed: status is 408 or 429 or >= 500, Latency);

    [Fact]
    public void An_answer_is_final() =>
        Assert.Equal(AttemptVerdict.Final, Of(CallOutcome.Answered(null, Latency), responseStarted: false));

    [Fact]
    public void A_failure_after_the_response_started_is_final() =>
        Assert.Equal(AttemptVerdict.Final, Of(Provider(503), responseStarted: true));

    [Fact]
    public void A_caller_who_left_is_final() =>
        Assert.Equal(AttemptVerdict.Final, Of(CallOutcome.ClientGone(), responseStarted: false));

    [Fact]
    public void An_abandoned_call_with_an_error_is_final()
    {
        var outcome = new CallOutcome(TokenUsage.None, CallResult.Abandoned, Latency,
            RouterError.UpstreamUnreachable(504, "p", "p:m", "timed out"));

        Assert.Equal(AttemptVerdict.Final, Of(outcome, responseStarted: false));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(529)]
    public void A_provider_status_that_may_pass_is_retryable(int status) =>
        Assert.Equal(AttemptVerdict.Retryable, Of(Provider(status), responseStarted: false));

    [Fact]
    public void A_provider_5xx_mentioning_the_context_window_is_still_retryable() =>
        Assert.Equal(AttemptVerdict.Retryable,
            Of(Provider(500, """{"error":{"message":"context window service failed"}}"""), responseStarted: false));

    [Theory]
    [InlineData(502)]
    [InlineData(504)]
    public void The_router_not_reaching_the_provider_is_retryable(int status)
    {
        var outcome = CallOutcome.Failed(RouterError.UpstreamUnreachable(status, "p", "p:m", "no answer"), providerFailed: true, Latency);

        Assert.Equal(AttemptVerdict.Retryable, Of(outcome, responseStarted: false));
    }

    [Fact]
    public void A_router_refusal_that_is_not_a_provider_failure_is_the_callers_error()
    {
        var outcome = CallOutcome.Failed(RouterError.InvalidRequest("bad body"), providerFailed: false, Latency);

        Assert.Equal(AttemptVerdict.CallerError, Of(outcome, responseStarted: false));
    }

    [Theory]
    [InlineData(400, """{"error":{"message":"Invalid value for 'temperature': must be at most 2.","type":"invalid_request_error","param":"temperature"}}""")]
    [InlineData(400, "Bad Request")]
    [InlineData(401, """{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","code":"invalid_api_key"}}""")]
    [InlineData(403, """{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission."}}""")]
    [InlineData(404, """{"error":{"message":"The model 'gpt-9' does not exist","type":"invalid_request_error","code":"model_not_found"}}""")]
    [InlineData(422, """{"error":{"message":"Unprocessable"}}""")]
    public void Any_other_provider_4xx_is_the_callers_error(int status, string body) =>
        Assert.Equal(AttemptVerdict.CallerError, Of(Provider(status, body), responseStarted: false));

    [Theory]
    [InlineData("""{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""")]
    [InlineData("""{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 214758 tokens > 200000 maximum"}}""")]
    [InlineData("""{"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}""")]
    public void A_provider_400_about_the_prompt_length_is_context_window_exceeded(string body) =>
        Assert.Equal(AttemptVerdict.ContextWindowExceeded, Of(Provider(400, body), responseStarted: false));

    [Fact]
    public void A_provider_413_about_the_prompt_length_is_context_window_exceeded() =>
        Assert.Equal(AttemptVerdict.ContextWindowExceeded, Of(
            Provider(413, """{"type":"error","error":{"type":"request_too_large","message":"prompt is too long"}}"""), responseStarted: false));

    [Theory]
    [InlineData("""{"error":{"message":"Your request was rejected.","type":"invalid_request_error","code":"content_policy_violation"}}""")]
    [InlineData("""{"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error"}}""")]
    public void A_provider_400_refusing_the_content_is_content_policy(string body) =>
        Assert.Equal(AttemptVerdict.ContentPolicy, Of(Provider(400, body), responseStarted: false));
}
