using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// Retries, fallbacks, breakers and load balancing against providers that fail on purpose; every
/// answer says what the router did (<c>x-router-deployment</c>, <c>x-router-attempts</c>,
/// <c>x-router-fallback</c>) and the mocks count what actually reached them.
/// </summary>
[Collection("resilience")]
public sealed class ResilienceTests(ResilienceFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Answer(HttpStatusCode Status, string Deployment, int Attempts, string? Fallback, string Body);

    private async Task<Answer> AskAsync(string model, string text = "hello", bool stream = false)
    {
        using var http = fixture.Http();
        var body = $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{text}}"}]}""";
        using var response = await http.PostAsync("/v1/chat/completions", Json(body), Ct);
        return new Answer(response.StatusCode,
            response.Headers.TryGetValues("x-router-deployment", out var d) ? d.Single() : "",
            response.Headers.TryGetValues("x-router-attempts", out var a) ? int.Parse(a.Single()) : 0,
            response.Headers.TryGetValues("x-router-fallback", out var f) ? f.Single() : null,
            await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Weighted_round_robin_spreads_load_by_weight()
    {
        var served = new List<string>();
        for (var i = 0; i < 200; i++) served.Add((await AskAsync("balanced")).Deployment);

        var east = served.Count(d => d == "east:balanced");
        Assert.InRange(east, 140, 160); // weight 3 of 4
        Assert.Equal(200 - east, served.Count(d => d == "west:balanced"));
    }

    [Fact]
    public async Task A_500_moves_on_to_the_next_deployment_and_the_breaker_then_skips_the_failing_one()
    {
        var answers = new List<Answer>();
        for (var i = 0; i < 8; i++) answers.Add(await AskAsync("half-broken"));

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "west:half-broken"), (a.Status, a.Deployment)));
        Assert.Contains(answers, a => a.Attempts == 2);
        // Three failures open east's circuit; from then on the request goes straight to west.
        Assert.Equal(3, fixture.East.CallsOf("fail-500"));
        Assert.Equal(1, answers[^1].Attempts);
        Assert.Equal("open", await CircuitOf("east:half-broken"));
    }

    [Fact]
    public async Task The_callers_own_400_is_never_retried()
    {
        var before = fixture.East.CallsOf("fail-400");

        var answer = await AskAsync("bad-request");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(1, answer.Attempts);
        Assert.Equal(before + 1, fixture.East.CallsOf("fail-400"));
    }

    [Fact]
    public async Task A_flaky_deployment_is_retried_with_backoff_until_it_answers()
    {
        var answer = await AskAsync("flaky/flaky-2-a");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(3, answer.Attempts);
        Assert.Equal(3, fixture.East.CallsOf("flaky-2-a"));
    }

    [Fact]
    public async Task When_the_retries_run_out_the_providers_last_error_reaches_the_client()
    {
        var answer = await AskAsync("stubborn/flaky-5-b");

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal(2, answer.Attempts);
        Assert.Equal(2, fixture.East.CallsOf("flaky-5-b"));
        Assert.Equal("provider", JsonNode.Parse(answer.Body)!["error"]!["origin"]!.GetValue<string>());
    }

    [Fact]
    public async Task After_its_retries_a_model_falls_back_and_says_so()
    {
        var answer = await AskAsync("primary");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(("west:backup", 3, "backup"), (answer.Deployment, answer.Attempts, answer.Fallback));
    }

    [Fact]
    public async Task A_refused_connection_moves_on_to_the_next_deployment()
    {
        var answers = new List<Answer>();
        for (var i = 0; i < 4; i++) answers.Add(await AskAsync("unreachable-first"));

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "west:unreachable-first"), (a.Status, a.Deployment)));
        Assert.Contains(answers, a => a.Attempts == 2);
    }

    [Fact]
    public async Task A_deployment_past_its_own_first_byte_timeout_is_left_for_the_next()
    {
        var clock = Stopwatch.StartNew();
        var answers = new List<Answer>();
        for (var i = 0; i < 2; i++) answers.Add(await AskAsync("slow-first"));

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "west:slow-first"), (a.Status, a.Deployment)));
        Assert.Contains(answers, a => a.Attempts == 2);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}; the mock answers only after 5 s");
    }

    [Fact]
    public async Task A_stream_that_dies_after_its_first_bytes_is_not_retried()
    {
        var answer = await AskAsync("dies/stream-die", "one two three four", stream: true);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(1, answer.Attempts);
        Assert.Equal(1, fixture.East.CallsOf("stream-die"));
        Assert.Contains("\"error\"", answer.Body);
        Assert.EndsWith("data: [DONE]\n\n", answer.Body);
    }

    [Fact]
    public async Task A_short_Retry_After_is_waited_out_on_the_same_deployment()
    {
        var clock = Stopwatch.StartNew();

        var answer = await AskAsync("rate/rate-once-x");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(2, answer.Attempts);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"retried after {clock.Elapsed}, before the provider's Retry-After of 1 s");
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_router_waits_sends_the_request_to_the_fallback()
    {
        var clock = Stopwatch.StartNew();

        var answer = await AskAsync("limited");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(("west:backup", "backup"), (answer.Deployment, answer.Fallback));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}: it waited for the 7 s Retry-After");
    }

    [Fact]
    public async Task A_prompt_too_long_for_the_model_goes_straight_to_its_context_window_fallback()
    {
        var longPrompt = string.Join(' ', Enumerable.Range(0, 120).Select(i => $"word{i}"));

        var small = await AskAsync("small-context", "short");
        var big = await AskAsync("small-context", longPrompt);

        Assert.Equal(("east:small-context", null), (small.Deployment, small.Fallback));
        Assert.Equal(("west:big-context", "big-context", 1), (big.Deployment, big.Fallback, big.Attempts));
        Assert.Equal(1, fixture.East.CallsOf("echo-small"));
    }

    [Fact]
    public async Task A_providers_context_length_error_goes_to_the_context_window_fallback()
    {
        var answer = await AskAsync("ctx-error");

        Assert.Equal((HttpStatusCode.OK, "west:big-context", "big-context"), (answer.Status, answer.Deployment, answer.Fallback));
        Assert.Equal(2, answer.Attempts);
    }

    [Fact]
    public async Task A_content_refusal_goes_to_the_content_policy_fallback()
    {
        var answer = await AskAsync("prude");

        Assert.Equal((HttpStatusCode.OK, "west:backup", "backup"), (answer.Status, answer.Deployment, answer.Fallback));
    }

    [Fact]
    public async Task The_breaker_opens_fails_fast_and_closes_after_a_successful_probe()
    {
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.InternalServerError, (await AskAsync("breaker/flaky-3-c")).Status);

        using var http = fixture.Http();
        using var refused = await http.PostAsync("/v1/chat/completions", Chat("breaker/flaky-3-c"), Ct);
        var error = await ErrorOf(refused, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("circuit_open", error["code"]!.GetValue<string>());
        Assert.True(refused.Headers.RetryAfter is not null);
        Assert.Equal(3, fixture.East.CallsOf("flaky-3-c"));
        Assert.Equal("open", await CircuitOf("east:breaker/*>flaky-3-c"));

        await Task.Delay(TimeSpan.FromSeconds(1.2), Ct);
        Assert.Equal(HttpStatusCode.OK, (await AskAsync("breaker/flaky-3-c")).Status);
        // The probe's outcome reaches the breaker by Tell once the answer is out: on a busy machine, a moment later.
        var circuit = await CircuitOf("east:breaker/*>flaky-3-c");
        for (var deadline = DateTime.UtcNow.AddSeconds(5); circuit == "half_open" && DateTime.UtcNow < deadline; circuit = await CircuitOf("east:breaker/*>flaky-3-c"))
            await Task.Delay(50, Ct);
        Assert.Equal("closed", circuit);
    }

    [Fact]
    public async Task Lowest_latency_prefers_the_faster_deployment_once_both_are_known()
    {
        var served = new List<string>();
        for (var i = 0; i < 20; i++) served.Add((await AskAsync("fastest")).Deployment);

        Assert.True(served.Count(d => d == "west:fastest") >= 16, string.Join(", ", served));
        Assert.Contains("east:fastest", served); // tried once, to learn its latency
    }

    [Fact]
    public async Task Least_in_flight_spreads_concurrent_requests()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => AskAsync("least-busy")));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.InRange(answers.Count(a => a.Deployment == "east:least-busy"), 1, 5);
    }

    [Fact]
    public async Task Deployment_health_needs_the_master_key()
    {
        using var http = fixture.Router.CreateClient(null);
        using var response = await http.GetAsync("/health/deployments", Ct);

        await ErrorOf(response, HttpStatusCode.Unauthorized);
    }

    private async Task<string> CircuitOf(string deploymentId)
    {
        using var http = fixture.Http();
        var list = JsonNode.Parse(await http.GetStringAsync("/health/deployments", Ct))!["deployments"]!.AsArray();
        return list.Single(d => d!["id"]!.GetValue<string>() == deploymentId)!["circuit"]!.GetValue<string>();
    }
}
