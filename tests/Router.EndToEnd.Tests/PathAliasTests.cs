using System.Net;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// Issue 20: as LiteLLM does, every client path answers without its <c>/v1</c> too (a client configured with
/// the bare address calls <c>/chat/completions</c>), and <c>/health/liveliness</c> answers as <c>/health/liveness</c>.
/// Each alias is asked exactly what its <c>/v1</c> path is asked and must answer the same, and reach the
/// provider the same way.
/// </summary>
[Collection("gateway")]
public sealed class PathAliasTests(GatewayFixture gateway)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> PostPaths => new()
    {
        { "/v1/chat/completions", """{"model":"mock/gpt-4o-mini","messages":[{"role":"user","content":"alias chat MARK"}]}""" },
        { "/v1/completions", """{"model":"mock/gpt-4o-mini","prompt":"alias completion MARK"}""" },
        { "/v1/embeddings", """{"model":"text-embedding-3-small","input":"alias embedding MARK"}""" },
        { "/v1/messages", """{"model":"mock/gpt-4o-mini","max_tokens":64,"messages":[{"role":"user","content":"alias messages MARK"}]}""" },
    };

    [Theory]
    [MemberData(nameof(PostPaths))]
    public async Task A_post_path_without_v1_answers_as_with_it(string path, string bodyTemplate)
    {
        using var http = gateway.Http();
        var alias = path["/v1".Length..];
        // A mark of its own per call, so the upstream request each one caused can be told apart.
        var (withV1, withV1Upstream) = await PostAsync(http, path, bodyTemplate, "mark" + Guid.NewGuid().ToString("N"));
        var (without, withoutUpstream) = await PostAsync(http, alias, bodyTemplate, "mark" + Guid.NewGuid().ToString("N"));

        Assert.Equal(HttpStatusCode.OK, withV1.Status);
        Assert.Equal(withV1, without);
        Assert.Equal(withV1Upstream, withoutUpstream);
    }

    [Theory]
    [InlineData("/v1/models", "/models", GatewayFixture.MasterKey)]
    [InlineData("/v1/models", "/models", null)]
    [InlineData("/health/liveness", "/health/liveliness", null)]
    public async Task A_get_path_alias_answers_as_the_path_it_stands_for(string path, string alias, string? key)
    {
        using var http = gateway.Http(key);

        var expected = await GetAsync(http, path);
        var actual = await GetAsync(http, alias);

        Assert.Equal(expected, actual);
        Assert.Equal(key is null && path == "/v1/models" ? HttpStatusCode.Unauthorized : HttpStatusCode.OK, actual.Status);
    }

    [Fact]
    public async Task A_path_that_is_no_client_route_is_not_made_one_by_the_aliases()
    {
        using var http = gateway.Http();

        using var response = await http.PostAsync("/v2/chat/completions",
            Json("""{"model":"mock/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private sealed record Answer(HttpStatusCode Status, string? ContentType, string Body);

    /// <summary>The answer and what the provider received, with the call's own mark written back as MARK.</summary>
    private async Task<(Answer Answer, string Upstream)> PostAsync(HttpClient http, string path, string bodyTemplate, string mark)
    {
        using var response = await http.PostAsync(path, Json(bodyTemplate.Replace("MARK", mark, StringComparison.Ordinal)), Ct);
        var text = (await response.Content.ReadAsStringAsync(Ct)).Replace(mark, "MARK", StringComparison.Ordinal);
        var received = gateway.Mock.Received.Single(r => r.Body.ToJsonString().Contains(mark, StringComparison.Ordinal));
        var upstream = received.Path + " " + received.Body.ToJsonString().Replace(mark, "MARK", StringComparison.Ordinal);
        return (new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, Normalised(text)), upstream);
    }

    private static async Task<Answer> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, Ct);
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, Normalised(await response.Content.ReadAsStringAsync(Ct)));
    }

    /// <summary>An error names its request id, which differs by request; everything else must be the same.</summary>
    private static string Normalised(string body)
    {
        if (JsonNode.Parse(body) is not JsonObject json) return body;
        if (json["error"] is JsonObject error) error.Remove("request_id");
        return json.ToJsonString();
    }
}
