using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using Router.Contracts.Wire;
using Router.EndToEnd.Tests.Fixtures;
using Router.Host.Caching;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The response cache in a real Redis: hits and misses, TTLs, every control header, flushing, streamed
/// hits replayed to the OpenAI SDK, key scoping, and Redis going away without a request failing.
/// Each test uses model names of its own, so the mock's per-name call counts tell what reached it.
/// </summary>
[Collection("cache")]
public sealed class CacheTests(CacheFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Answer(HttpStatusCode Status, string Cache, string? Age, string? EntryKey, string Body)
    {
        /// <summary>The deployment that answered (none on a hit), and the fallback model when one did.</summary>
        public string? Deployment { get; init; }
        public string? Fallback { get; init; }
    }

    private async Task<Answer> AskAsync(string model, string text = "cache me", Action<HttpRequestMessage>? headers = null, string? key = null)
    {
        using var http = fixture.Http(key ?? CacheFixture.MasterKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json($$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{text}}"}]}"""),
        };
        headers?.Invoke(request);
        using var response = await http.SendAsync(request, Ct);
        await AfterMissAsync(response);
        return new Answer(response.StatusCode,
            response.Headers.TryGetValues("x-router-cache", out var c) ? c.Single() : "",
            response.Headers.TryGetValues("age", out var a) ? a.Single() : null,
            response.Headers.TryGetValues("x-router-cache-key", out var k) ? k.Single() : null,
            await response.Content.ReadAsStringAsync(Ct))
        {
            Deployment = response.Headers.TryGetValues("x-router-deployment", out var d) ? d.Single() : null,
            Fallback = response.Headers.TryGetValues("x-router-fallback", out var f) ? f.Single() : null,
        };
    }

    private static Action<HttpRequestMessage> Namespace(string name, bool refresh = false) => request =>
    {
        request.Headers.Add("x-router-cache-namespace", name);
        if (refresh) request.Headers.Add("Cache-Control", "no-cache");
    };

    [Fact]
    public async Task The_same_request_twice_reaches_the_provider_once()
    {
        var miss = await AskAsync("mock/hit-once");
        var hit = await AskAsync("mock/hit-once");

        Assert.Equal(("miss", "hit"), (miss.Cache, hit.Cache));
        Assert.Equal(1, fixture.Mock.CallsOf("hit-once"));
        Assert.NotNull(hit.Age);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(miss.Body), JsonNode.Parse(hit.Body)));
    }

    [Fact]
    public async Task A_different_parameter_is_a_different_entry_but_field_order_and_user_are_not()
    {
        using var http = fixture.Http();
        async Task<string> Post(string body)
        {
            using var response = await http.PostAsync("/v1/chat/completions", Json(body), Ct);
            await AfterMissAsync(response);
            return response.Headers.GetValues("x-router-cache").Single();
        }

        Assert.Equal("miss", await Post("""{"model":"mock/fields","temperature":0.2,"messages":[{"role":"user","content":"x"}]}"""));
        Assert.Equal("hit", await Post("""{"messages":[{"content":"x","role":"user"}],"user":"someone","temperature":0.2,"model":"mock/fields"}"""));
        Assert.Equal("miss", await Post("""{"model":"mock/fields","temperature":0.9,"messages":[{"role":"user","content":"x"}]}"""));
    }

    [Fact]
    public async Task A_streamed_answer_is_stored_and_replayed_to_the_SDK_as_a_stream()
    {
        var chat = Sdk().GetChatClient("mock/streamed");
        async Task<string> StreamAsync()
        {
            var text = new System.Text.StringBuilder();
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("one two three")], cancellationToken: Ct))
                foreach (var part in update.ContentUpdate) text.Append(part.Text);
            return text.ToString();
        }

        var first = await StreamAsync();
        await Task.Delay(100, Ct); // stored just after the stream ended
        var replayed = await StreamAsync();
        ChatCompletion whole = await chat.CompleteChatAsync([new UserChatMessage("one two three")], cancellationToken: Ct);

        Assert.Equal("one two three", first);
        Assert.Equal(first, replayed);
        Assert.Equal(first, whole.Content[0].Text);
        Assert.Equal(1, fixture.Mock.CallsOf("streamed"));
    }

    [Fact]
    public async Task The_same_upstream_name_through_another_provider_is_another_entry_and_a_key_gets_only_its_own()
    {
        // In a shared namespace, where only the provider can keep the two answers apart.
        var key = await GenerateKeyAsync(new { models = new[] { "elsewhere/*" } });
        Assert.Equal("miss", (await AskAsync("mock/shared-name", headers: Namespace("team"))).Cache);

        // elsewhere/shared-name sends "shared-name" upstream too, but through another provider: a key allowed
        // only elsewhere/* must get that provider's answer, never the one cached from mock.
        var other = await AskAsync("elsewhere/shared-name", key: key, headers: Namespace("team"));

        Assert.Equal((HttpStatusCode.OK, "miss"), (other.Status, other.Cache));
        Assert.Equal(2, fixture.Mock.CallsOf("shared-name"));
        Assert.Equal("hit", (await AskAsync("elsewhere/shared-name", key: key, headers: Namespace("team"))).Cache);
    }

    [Fact]
    public async Task A_keys_answer_is_its_own_unless_the_operator_shared_the_namespace()
    {
        var a = await GenerateKeyAsync(new { });
        var b = await GenerateKeyAsync(new { });

        Assert.Equal("miss", (await AskAsync("mock/per-key", key: a)).Cache);
        Assert.Equal("miss", (await AskAsync("mock/per-key", key: b)).Cache);
        Assert.Equal("miss", (await AskAsync("mock/per-key")).Cache); // the master key has its own entries too
        Assert.Equal("hit", (await AskAsync("mock/per-key", key: a)).Cache);
        Assert.Equal(3, fixture.Mock.CallsOf("per-key"));

        // A namespace a caller names is still its own; one the operator shared (router.cache.shared-namespaces) is everyone's.
        Assert.Equal("miss", (await AskAsync("mock/per-key", key: a, headers: Namespace("mine"))).Cache);
        Assert.Equal("miss", (await AskAsync("mock/per-key", key: b, headers: Namespace("mine"))).Cache);
        Assert.Equal("miss", (await AskAsync("mock/per-key", key: a, headers: Namespace("team"))).Cache);
        Assert.Equal("hit", (await AskAsync("mock/per-key", key: b, headers: Namespace("team"))).Cache);
        Assert.Equal("hit", (await AskAsync("mock/per-key", headers: Namespace("team"))).Cache);
        Assert.Equal(6, fixture.Mock.CallsOf("per-key"));
    }

    [Fact]
    public async Task No_cache_refreshes_only_the_callers_own_entry()
    {
        var a = await GenerateKeyAsync(new { });
        var b = await GenerateKeyAsync(new { });
        await AskAsync("mock/refresh-scope", key: a);
        await AskAsync("mock/refresh-scope", key: b);
        await Task.Delay(TimeSpan.FromSeconds(1.2), Ct); // so an entry stored now is younger by a whole second (age)

        var refreshed = await AskAsync("mock/refresh-scope", key: a, headers: r => r.Headers.Add("Cache-Control", "no-cache"));
        var bs = await AskAsync("mock/refresh-scope", key: b);
        var mine = await AskAsync("mock/refresh-scope", key: a);

        Assert.Equal("miss", refreshed.Cache);
        Assert.Equal(3, fixture.Mock.CallsOf("refresh-scope"));
        // b's entry is the one b stored before the refresh; a's is the refreshed one.
        Assert.Equal(("hit", "hit"), (bs.Cache, mine.Cache));
        Assert.True(int.Parse(bs.Age!, System.Globalization.CultureInfo.InvariantCulture) >= 1, $"b's entry is {bs.Age} s old");
        Assert.Equal("0", mine.Age);
    }

    [Fact]
    public async Task A_key_allowed_one_provider_never_gets_what_another_provider_answered_under_the_same_entry()
    {
        // "both" is served by mock and by elsewhere, both sending "both-model", and its entry is keyed by its first
        // deployment (mock's): the very entry mock/both-model finds. Refresh until elsewhere gave the stored answer.
        Answer both;
        var tries = 0;
        do both = await AskAsync("both", headers: Namespace("team", refresh: true));
        while (both.Deployment != "elsewhere:both" && ++tries < 6);
        Assert.Equal("elsewhere:both", both.Deployment);
        var mockOnly = await GenerateKeyAsync(new { models = new[] { "mock/*" } });

        var asked = await AskAsync("mock/both-model", key: mockOnly, headers: Namespace("team"));

        Assert.Equal(both.EntryKey, asked.EntryKey);
        Assert.Equal(("miss", "mock:mock/*"), (asked.Cache, asked.Deployment));
        // mock's own answer now fills the entry, and serves both routes.
        Assert.Equal("hit", (await AskAsync("mock/both-model", key: mockOnly, headers: Namespace("team"))).Cache);
        Assert.Equal("hit", (await AskAsync("both", headers: Namespace("team"))).Cache);
    }

    [Fact]
    public async Task A_fallbacks_answer_is_stored_under_the_model_that_produced_it_and_admitted_against_it()
    {
        var produced = await AskAsync("cascade", headers: Namespace("team"));
        Assert.Equal((HttpStatusCode.OK, "cascade-backup"), (produced.Status, produced.Fallback));
        Assert.Equal((1, 1), (fixture.Mock.CallsOf("flaky-1-cascade"), fixture.Mock.CallsOf("cascade-backup")));
        var backupOnly = await GenerateKeyAsync(new { models = new[] { "cascade-backup" } });
        var cascadeOnly = await GenerateKeyAsync(new { models = new[] { "cascade" } });

        // A request for the model that produced it finds it; a key that may not use that model does not get it.
        var forBackup = await AskAsync("cascade-backup", key: backupOnly, headers: Namespace("team"));
        Assert.Equal((HttpStatusCode.OK, "hit"), (forBackup.Status, forBackup.Cache));
        var refused = await AskAsync("cascade-backup", key: cascadeOnly, headers: Namespace("team"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.DoesNotContain("cache me", refused.Body);

        // The model that failed is asked again, not answered with what its fallback said.
        var again = await AskAsync("cascade", key: cascadeOnly, headers: Namespace("team"));
        Assert.Equal((HttpStatusCode.OK, "miss", null), (again.Status, again.Cache, again.Fallback));
        Assert.Equal((2, 1), (fixture.Mock.CallsOf("flaky-1-cascade"), fixture.Mock.CallsOf("cascade-backup")));
        Assert.Equal("hit", (await AskAsync("cascade", key: cascadeOnly, headers: Namespace("team"))).Cache);
    }

    [Fact]
    public async Task A_callers_ttl_is_cut_to_max_ttl_and_the_answer_says_so()
    {
        using var http = fixture.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json("""{"model":"mock/long-ttl","messages":[{"role":"user","content":"keep me"}]}"""),
        };
        request.Headers.Add("x-router-cache-ttl", "86400");
        using var response = await http.SendAsync(request, Ct);
        await AfterMissAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("3600", response.Headers.GetValues("x-router-cache-ttl").Single());
    }

    [Fact]
    public async Task An_entry_expires_after_its_ttl()
    {
        void Ttl(HttpRequestMessage r) => r.Headers.Add("x-router-cache-ttl", "1");
        Assert.Equal("miss", (await AskAsync("mock/short-lived", headers: Ttl)).Cache);
        Assert.Equal("hit", (await AskAsync("mock/short-lived", headers: Ttl)).Cache);

        await Task.Delay(TimeSpan.FromSeconds(1.6), Ct);

        Assert.Equal("miss", (await AskAsync("mock/short-lived", headers: Ttl)).Cache);
        Assert.Equal(2, fixture.Mock.CallsOf("short-lived"));
    }

    [Fact]
    public async Task No_cache_refreshes_the_entry_and_no_store_leaves_the_cache_alone()
    {
        await AskAsync("mock/controls");
        var refreshed = await AskAsync("mock/controls", headers: r => r.Headers.Add("Cache-Control", "no-cache"));
        var bypassed = await AskAsync("mock/controls-bypass", headers: r => r.Headers.Add("Cache-Control", "no-store"));
        var after = await AskAsync("mock/controls-bypass");

        Assert.Equal("miss", refreshed.Cache);
        Assert.Equal(2, fixture.Mock.CallsOf("controls"));
        Assert.Equal("hit", (await AskAsync("mock/controls")).Cache);
        Assert.Equal(("bypass", "miss"), (bypassed.Cache, after.Cache));
    }

    [Fact]
    public async Task Namespaces_keep_entries_apart()
    {
        await AskAsync("mock/spaced", headers: r => r.Headers.Add("x-router-cache-namespace", "team-a"));

        Assert.Equal("miss", (await AskAsync("mock/spaced", headers: r => r.Headers.Add("x-router-cache-namespace", "team-b"))).Cache);
        Assert.Equal("hit", (await AskAsync("mock/spaced", headers: r => r.Headers.Add("x-router-cache-namespace", "team-a"))).Cache);
    }

    [Fact]
    public async Task A_model_switched_off_bypasses_the_cache()
    {
        Assert.Equal("bypass", (await AskAsync("uncached/switched-off")).Cache);
        Assert.Equal("bypass", (await AskAsync("uncached/switched-off")).Cache);
        Assert.Equal(2, fixture.Mock.CallsOf("switched-off"));
    }

    [Fact]
    public async Task Errors_are_never_cached()
    {
        await AskAsync("mock/fail-500", "error once");
        var again = await AskAsync("mock/fail-500", "error once");

        Assert.Equal(HttpStatusCode.InternalServerError, again.Status);
        Assert.Equal("miss", again.Cache);
    }

    [Fact]
    public async Task Flush_removes_one_entry_a_model_a_namespace_or_everything()
    {
        var one = await AskAsync("mock/flush-one");
        await AskAsync("mock/flush-model", "a");
        await AskAsync("mock/flush-model", "b");
        await AskAsync("mock/flush-ns", headers: r => r.Headers.Add("x-router-cache-namespace", "flushme"));

        Assert.Equal(1, await FlushAsync(new { key = one.EntryKey }));
        Assert.Equal(2, await FlushAsync(new { model = "flush-model" }));
        Assert.Equal(1, await FlushAsync(new { @namespace = "flushme" }));
        Assert.Equal("miss", (await AskAsync("mock/flush-one")).Cache);
        Assert.Equal("miss", (await AskAsync("mock/flush-model", "a")).Cache);

        await FlushAsync(new { });
        Assert.Equal("miss", (await AskAsync("mock/flush-one")).Cache);
    }

    [Fact]
    public async Task A_key_that_may_not_use_the_model_never_gets_its_cached_answer()
    {
        await AskAsync("mock/scoped");
        var other = await GenerateKeyAsync(new { models = new[] { "other/*" } });

        var refused = await AskAsync("mock/scoped", key: other);

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.DoesNotContain("cache me", refused.Body);
    }

    [Fact]
    public async Task Without_Redis_requests_still_succeed_and_caching_resumes_when_it_returns()
    {
        Assert.Equal("miss", (await AskAsync("mock/outage", "before")).Cache);
        await fixture.Redis.StopAsync();
        try
        {
            for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await AskAsync("mock/outage", $"during {i}")).Status);
            using var health = fixture.Router.CreateClient(null);
            var readiness = JsonNode.Parse(await health.GetStringAsync("/health/readiness", Ct))!;
            Assert.Equal("degraded", readiness["status"]!.GetValue<string>());
            // Anyone learns that the cache is degraded; only the master key learns why.
            Assert.Equal("degraded", readiness["checks"]!["cache"]!.GetValue<string>());
            using var operator_ = fixture.Router.CreateClient(CacheFixture.MasterKey);
            var reasons = JsonNode.Parse(await operator_.GetStringAsync("/health/readiness", Ct))!;
            Assert.StartsWith("redis unreachable", reasons["checks"]!["cache"]!.GetValue<string>());
            Assert.Equal("ok", reasons["checks"]!["storage"]!.GetValue<string>());
        }
        finally
        {
            await fixture.Redis.StartAsync();
        }

        await WaitUntilAsync(async () => (await AskAsync("mock/outage", "after")).Cache == "hit", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task An_entry_planted_or_moved_in_Redis_is_ignored_counted_and_replaced_by_the_providers_answer()
    {
        var rejectedBefore = await RejectedEntriesAsync();
        Assert.Equal("miss", (await AskAsync("mock/planted")).Cache);
        Assert.Equal("miss", (await AskAsync("mock/moved-onto")).Cache);
        var planted = await RedisKeyOfAsync("planted");
        var movedOnto = await RedisKeyOfAsync("moved-onto");

        // Someone who reaches Redis and knows the format, but not the router's cache secret, plants an answer.
        var forged = new CacheEntryEnvelope("an-attacker's-guess-0123456789abcdef").Seal(planted, new CachedResponse(
            """{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"PLANTED-ANSWER"},"finish_reason":"stop"}]}"""u8.ToArray(),
            new TokenUsage(1, 1, 0, 0, 0), 0m, DateTimeOffset.UtcNow, new CacheProducer("mock/planted", "mock", "planted")));
        Assert.Equal("OK", (await fixture.Redis.CliAsync(forged, "SET", planted)).Output);

        var afterPlant = await AskAsync("mock/planted");
        Assert.Equal((HttpStatusCode.OK, "miss"), (afterPlant.Status, afterPlant.Cache));
        Assert.DoesNotContain("PLANTED-ANSWER", afterPlant.Body);
        Assert.Equal(2, fixture.Mock.CallsOf("planted"));

        // A genuine entry (the one just stored) copied onto another request's key is refused there too.
        Assert.Equal("1", (await fixture.Redis.CliAsync(null, "COPY", planted, movedOnto, "REPLACE")).Output);
        var afterMove = await AskAsync("mock/moved-onto");
        Assert.Equal("miss", afterMove.Cache);
        Assert.Equal(2, fixture.Mock.CallsOf("moved-onto"));

        Assert.Equal(rejectedBefore + 2, await RejectedEntriesAsync());
        // The provider's answers replaced both: the next asks are hits.
        Assert.Equal(("hit", "hit"), ((await AskAsync("mock/planted")).Cache, (await AskAsync("mock/moved-onto")).Cache));
        Assert.Contains("failed their authentication", fixture.Router.Output);
        Assert.DoesNotContain("PLANTED-ANSWER", fixture.Router.Output);
    }

    /// <summary>The Redis key of the one entry stored for an upstream model (by a <c>redis-cli</c> of its own).</summary>
    private async Task<string> RedisKeyOfAsync(string model)
    {
        var (exit, output) = await fixture.Redis.CliAsync(null, "--scan", "--pattern", $"{RedisResponseCacheStore.KeyPrefix}*");
        Assert.Equal(0, exit);
        return Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            key => key.Contains($"{model}:", StringComparison.Ordinal));
    }

    private async Task<double> RejectedEntriesAsync()
    {
        using var http = fixture.Http();
        var metrics = await http.GetStringAsync("/metrics", Ct);
        var line = metrics.Split('\n').Single(l => l.StartsWith("router_cache_rejected_entries_total ", StringComparison.Ordinal));
        return double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// An answer is stored just after it was sent, so the client is never kept waiting on Redis; a test
    /// that repeats a request at once gives the store that moment.
    /// </summary>
    private static async Task AfterMissAsync(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("x-router-cache", out var state) && state.Single() == "miss") await Task.Delay(100, Ct);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "caching did not resume");
            await Task.Delay(250, Ct);
        }
    }

    private async Task<long> FlushAsync(object scope)
    {
        using var http = fixture.Http();
        using var response = await http.PostAsJsonAsync("/cache/flush", scope, Ct);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["flushed"]!.GetValue<long>();
    }

    private async Task<string> GenerateKeyAsync(object fields)
    {
        using var http = fixture.Http();
        using var response = await http.PostAsJsonAsync("/key/generate", fields, Ct);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["key"]!.GetValue<string>();
    }

    private OpenAIClient Sdk() => new(new ApiKeyCredential(CacheFixture.MasterKey), new OpenAIClientOptions
    {
        Endpoint = new Uri(fixture.Router.BaseUrl + "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });
}
