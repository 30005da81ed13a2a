using System.Net;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;
using static Router.EndToEnd.Tests.ErrorTests;
using static Router.EndToEnd.Tests.Fixtures.LiteLlmFieldsFixture;

namespace Router.EndToEnd.Tests;

/// <summary>
/// LiteLLM's own request fields, sent as LiteLLM's clients send them (the OpenAI SDK's extra body, or raw JSON): consumed by
/// the router, never seen by the provider. Each test uses model names of its own, so the mock's records tell what reached it.
/// </summary>
[Collection("litellm")]
public sealed class LiteLlmFieldsTests(LiteLlmFieldsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] LiteLlmOnly = ["metadata", "tags", "cache", "mock_response"];

    private HttpClient Http(string key = LiteLlmFieldsFixture.MasterKey) => fixture.Router.CreateClient(key);

    private async Task<HttpResponseMessage> PostAsync(string body, string path = "/v1/chat/completions", string? key = null)
    {
        using var http = Http(key ?? LiteLlmFieldsFixture.MasterKey);
        var response = await http.PostAsync(path, Json(body), Ct);
        // An answer is stored just after it was sent: a request repeated at once gives the store that moment.
        if (response.Headers.TryGetValues("x-router-cache", out var cache) && cache.Single() == "miss") await Task.Delay(100, Ct);
        return response;
    }

    private IEnumerable<JsonObject> ReceivedFor(string upstreamModel) =>
        fixture.Mock.Received.Where(r => r.Body["model"]?.GetValue<string>() == upstreamModel).Select(r => r.Body);

    private static string[] Tags(JsonNode row) => row["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray();

    [Fact]
    public async Task Metadata_and_tags_reach_the_request_log_filterable_by_tag_and_never_the_provider_nor_the_routers_output()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var secretNote = $"note-{run}-not-for-server-logs";
        var chat = fixture.Chat($"mock/labelled-{run}");
        var metadata = $$"""{"trace_id":"trace-{{run}}","generation_name":"gen","tags":["meta-{{run}}"],"note":"{{secretNote}}"}""";

        ChatCompletion first = await chat.CompleteChatAsync([new UserChatMessage("first")],
            Extra(("metadata", metadata), ("tags", $"""["a-{run}","both-{run}"]""")), Ct);
        ChatCompletion second = await chat.CompleteChatAsync([new UserChatMessage("second")], Extra(("tags", $"""["b-{run}","both-{run}"]""")), Ct);
        Assert.Equal(("first", "second"), (first.Content[0].Text, second.Content[0].Text));

        var received = ReceivedFor($"labelled-{run}").ToList();
        Assert.Equal(2, received.Count);
        Assert.All(received, body => Assert.DoesNotContain(body.Select(p => p.Key), LiteLlmOnly.Contains));

        var a = Assert.Single(await fixture.LogsAsync($"tag=a-{run}", 1))!;
        Assert.Equal([$"a-{run}", $"both-{run}", $"meta-{run}"], Tags(a));
        Assert.Equal($"trace-{run}", a["metadata"]!["trace_id"]!.GetValue<string>());
        Assert.Equal(secretNote, a["metadata"]!["note"]!.GetValue<string>());
        Assert.False(a["mocked"]!.GetValue<bool>());
        Assert.Equal(2, (await fixture.LogsAsync($"tag=both-{run}", 2)).Count);
        Assert.Single(await fixture.LogsAsync($"tag=both-{run}&tag=b-{run}", 1));
        Assert.Single(await fixture.LogsAsync($"tag=meta-{run}", 1)); // metadata.tags count as tags
        await fixture.LogsAsync($"tag=a-{run}&tag=b-{run}", 0);

        using var http = Http();
        var csv = await http.GetStringAsync($"/spend/logs?format=csv&tag=a-{run}", Ct);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("metadata,tags,mocked", lines[0]);
        Assert.Contains($"trace-{run}", lines[1]);
        Assert.Contains($"both-{run}", lines[1]);

        // The request log is where they go: the router's own output (its logs) has none of them.
        Assert.DoesNotContain(secretNote, fixture.Router.Output);
        Assert.DoesNotContain($"meta-{run}", fixture.Router.Output);
    }

    [Fact]
    public async Task Invalid_or_oversized_fields_are_refused_with_a_400_naming_them_before_any_provider_is_asked()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var model = $"mock/refused-{run}";
        var tooManyTags = "\"tags\":[" + string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"t{i}\"")) + "]";
        var tooMuchMetadata = "\"metadata\":{\"blob\":\"" + new string('x', 17 * 1024) + "\"}";
        foreach (var (fields, param) in new[]
                 {
                     (tooManyTags, "tags"), (tooMuchMetadata, "metadata"), ("\"metadata\":\"text\"", "metadata"),
                     ("\"cache\":{\"ttl\":\"soon\"}", "cache"), ("\"cache\":{\"no-cache\":true,\"max-age\":5}", "cache"),
                     ("\"mock_response\":{\"text\":\"x\"}", "mock_response"),
                 })
        {
            using var response = await PostAsync(Body(model, fields));
            var error = await ErrorOf(response, HttpStatusCode.BadRequest);
            Assert.Equal(param, error["param"]!.GetValue<string>());
        }
        using var embeddings = await PostAsync("""{"model":"mock/e","input":"x","mock_response":"no"}""", "/v1/embeddings");
        Assert.Equal("mock_response", (await ErrorOf(embeddings, HttpStatusCode.BadRequest))["param"]!.GetValue<string>());
        Assert.Equal(0, fixture.Mock.CallsOf($"refused-{run}"));
        Assert.Equal(0, fixture.Mock.CallsOf("e"));
    }

    /// <summary>What the cache did for a request (<c>x-router-cache</c>), after it answered 200.</summary>
    private async Task<string> CacheOfAsync(string body, string? namespaceHeader = null)
    {
        using var http = Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(body) };
        if (namespaceHeader is not null) request.Headers.Add("x-router-cache-namespace", namespaceHeader);
        using var response = await http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var state = response.Headers.GetValues("x-router-cache").Single();
        if (state == "miss") await Task.Delay(100, Ct); // stored just after it was sent
        return state;
    }

    [Fact]
    public async Task Requests_differing_only_in_metadata_and_tags_share_one_cache_entry()
    {
        var upstream = $"shared-entry-{Guid.NewGuid():N}";
        var first = await CacheOfAsync(Body("mock/" + upstream, """ "metadata":{"run":1},"tags":["x"] """));
        var second = await CacheOfAsync(Body("mock/" + upstream, """ "metadata":{"run":2,"trace_id":"t"},"tags":["y","z"] """));
        var plain = await CacheOfAsync(Body("mock/" + upstream));

        Assert.Equal(("miss", "hit", "hit"), (first, second, plain));
        Assert.Equal(1, fixture.Mock.CallsOf(upstream));
    }

    [Fact]
    public async Task The_cache_object_refreshes_bypasses_and_separates_as_the_headers_do()
    {
        var run = Guid.NewGuid().ToString("N")[..8];

        await CacheOfAsync(Body($"mock/refresh-{run}"));
        var refreshed = await CacheOfAsync(Body($"mock/refresh-{run}", """ "cache":{"no-cache":true} """));
        var afterRefresh = await CacheOfAsync(Body($"mock/refresh-{run}"));
        Assert.Equal(("miss", "hit"), (refreshed, afterRefresh));
        Assert.Equal(2, fixture.Mock.CallsOf($"refresh-{run}"));

        var notStored = await CacheOfAsync(Body($"mock/no-store-{run}", """ "cache":{"no-store":true} """));
        var afterNoStore = await CacheOfAsync(Body($"mock/no-store-{run}"));
        Assert.Equal(("bypass", "miss"), (notStored, afterNoStore));

        await CacheOfAsync(Body($"mock/spaced-{run}", """ "cache":{"namespace":"team-a"} """));
        var otherSpace = await CacheOfAsync(Body($"mock/spaced-{run}", """ "cache":{"namespace":"team-b"} """));
        var sameSpace = await CacheOfAsync(Body($"mock/spaced-{run}", """ "cache":{"namespace":"team-a"} """));
        // The body's namespace is the header's: a request naming it in the header finds the same entry.
        var byHeader = await CacheOfAsync(Body($"mock/spaced-{run}"), namespaceHeader: "team-a");
        Assert.Equal(("miss", "hit", "hit"), (otherSpace, sameSpace, byHeader));
        Assert.Equal(2, fixture.Mock.CallsOf($"spaced-{run}"));
        Assert.All(ReceivedFor($"spaced-{run}"), body => Assert.False(body.ContainsKey("cache")));
    }

    [Fact]
    public async Task The_cache_objects_ttl_expires_the_entry_and_s_maxage_refuses_an_older_one()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        using (var stored = await PostAsync(Body($"mock/short-{run}", """ "cache":{"ttl":1} """)))
            Assert.Equal("1", stored.Headers.GetValues("x-router-cache-ttl").Single());
        Assert.Equal("hit", await CacheOfAsync(Body($"mock/short-{run}")));
        await Task.Delay(TimeSpan.FromSeconds(1.6), Ct);
        Assert.Equal("miss", await CacheOfAsync(Body($"mock/short-{run}")));

        await CacheOfAsync(Body($"mock/aged-{run}"));
        await Task.Delay(TimeSpan.FromSeconds(1.2), Ct); // the entry is now more than a second old
        var lenient = await CacheOfAsync(Body($"mock/aged-{run}", """ "cache":{"s-maxage":60} """));
        var strict = await CacheOfAsync(Body($"mock/aged-{run}", """ "cache":{"s-maxage":1} """));
        var fresh = await CacheOfAsync(Body($"mock/aged-{run}", """ "cache":{"s-maxage":1} """));
        Assert.Equal(("hit", "miss", "hit"), (lenient, strict, fresh));
        Assert.Equal(2, fixture.Mock.CallsOf($"aged-{run}"));
    }
}
