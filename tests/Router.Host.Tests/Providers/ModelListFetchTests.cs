using System.Net;
using System.Text;
using Router.Contracts.Configuration;
using Router.Host.Providers;

namespace Router.Host.Tests.Providers;

/// <summary>
/// A provider's whole model list through its client: every page, with the provider's own credentials (as its
/// calls carry them), and a refusal that is a failure naming the status, never the provider's words.
/// </summary>
public sealed class ModelListFetchTests
{
    private const string Key = "sk-provider-secret-for-lists";

    private static readonly ProviderTimeouts Timeouts =
        new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Answers each request from a function of its path and query, and keeps every request.</summary>
    private sealed class PagesHandler(Func<string, (HttpStatusCode Status, string Body)> answer) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Requests.Add(request);
            var (status, body) = answer(request.RequestUri!.PathAndQuery);
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request });
        }
    }

    private static (ProviderClient Client, ProviderClients Owner) ClientFor(ProviderType type, string apiBase, HttpMessageHandler handler,
        Dictionary<string, string>? headers = null)
    {
        var settings = new ProviderSettings("p", type, new Uri(apiBase), Key, true, headers ?? new Dictionary<string, string>(), Timeouts);
        var clients = new ProviderClients([settings], _ => handler);
        return (clients.Get("p"), clients);
    }

    private static Task<System.Collections.Immutable.ImmutableArray<string>> FetchAsync(ProviderClient client) =>
        ModelListFetch.FetchAsync(client, ProviderRegistry.Of(client.Settings.Type).CreateModelListing!(client.Settings), Ct);

    [Fact]
    public async Task Anthropic_is_asked_page_after_page_with_its_key_and_version_headers()
    {
        var handler = new PagesHandler(path => path switch
        {
            "/v1/models?limit=1000" => (HttpStatusCode.OK, """{"data":[{"id":"claude-b"},{"id":"claude-a"}],"has_more":true,"last_id":"claude-a"}"""),
            "/v1/models?limit=1000&after_id=claude-a" => (HttpStatusCode.OK, """{"data":[{"id":"claude-c"}],"has_more":false,"last_id":"claude-c"}"""),
            _ => (HttpStatusCode.NotFound, "{}"),
        });
        var (client, owner) = ClientFor(ProviderType.Anthropic, "https://api.anthropic.com/v1", handler);
        using var _ = owner;

        Assert.Equal(["claude-a", "claude-b", "claude-c"], await FetchAsync(client));
        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, request =>
        {
            Assert.Equal(HttpMethod.Get, request.Method);
            Assert.Equal([Key], request.Headers.GetValues("x-api-key"));
            Assert.Equal(["2023-06-01"], request.Headers.GetValues("anthropic-version"));
            Assert.Null(request.Headers.Authorization);
        });
    }

    [Fact]
    public async Task A_configured_anthropic_version_is_sent_instead_of_the_default_not_beside_it()
    {
        var handler = new PagesHandler(_ => (HttpStatusCode.OK, """{"data":[{"id":"claude-a"}],"has_more":false}"""));
        var (client, owner) = ClientFor(ProviderType.Anthropic, "https://api.anthropic.com/v1", handler, new() { ["anthropic-version"] = "2024-01-01" });
        using var _ = owner;

        await FetchAsync(client);

        Assert.Equal(["2024-01-01"], handler.Requests.Single().Headers.GetValues("anthropic-version"));
    }

    [Fact]
    public async Task Gemini_is_asked_with_its_key_header_and_never_the_key_in_the_address()
    {
        var handler = new PagesHandler(path => path.Contains("pageToken=next", StringComparison.Ordinal)
            ? (HttpStatusCode.OK, """{"models":[{"name":"models/gemini-2.5-flash","supportedGenerationMethods":["generateContent"]}]}""")
            : (HttpStatusCode.OK, """{"models":[{"name":"models/gemini-2.5-pro","supportedGenerationMethods":["generateContent"]}],"nextPageToken":"next"}"""));
        var (client, owner) = ClientFor(ProviderType.Gemini, "https://generativelanguage.googleapis.com/v1beta", handler);
        using var _ = owner;

        Assert.Equal(["gemini-2.5-flash", "gemini-2.5-pro"], await FetchAsync(client));
        Assert.All(handler.Requests, request =>
        {
            Assert.Equal([Key], request.Headers.GetValues("x-goog-api-key"));
            Assert.DoesNotContain(Key, request.RequestUri!.AbsoluteUri, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData(ProviderType.OpenAi, "https://api.openai.com/v1", "/v1/models")]
    [InlineData(ProviderType.OpenAiCompatible, "https://openrouter.ai/api/v1", "/api/v1/models")]
    public async Task OpenAi_formats_are_asked_with_the_bearer_key(ProviderType type, string apiBase, string path)
    {
        var handler = new PagesHandler(_ => (HttpStatusCode.OK, """{"object":"list","data":[{"id":"m-2"},{"id":"m-1"},{"id":"m-2"}]}"""));
        var (client, owner) = ClientFor(type, apiBase, handler, new() { ["X-Title"] = "Router" });
        using var _ = owner;

        Assert.Equal(["m-1", "m-2"], await FetchAsync(client));
        var request = handler.Requests.Single();
        Assert.Equal(path, request.RequestUri!.AbsolutePath);
        Assert.Equal($"Bearer {Key}", request.Headers.Authorization!.ToString());
        Assert.Equal(["Router"], request.Headers.GetValues("X-Title"));
    }

    [Fact]
    public async Task A_refusal_is_a_failure_naming_the_status_and_not_what_the_provider_said()
    {
        // OpenAI's 401 quotes part of the key it was sent.
        var handler = new PagesHandler(_ => (HttpStatusCode.Unauthorized,
            $$$"""{"error":{"message":"Incorrect API key provided: {{{Key}}}.","type":"invalid_request_error","code":"invalid_api_key"}}"""));
        var (client, owner) = ClientFor(ProviderType.OpenAi, "https://api.openai.com/v1", handler);
        using var _ = owner;

        var error = await Assert.ThrowsAsync<ModelListException>(() => FetchAsync(client));

        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://api.openai.com/v1/models", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cursor_that_never_ends_stops_after_the_most_pages_any_provider_has()
    {
        var page = 0;
        var handler = new PagesHandler(_ =>
        {
            var name = $"models/m-{page}";
            var next = $"t-{++page}";
            return (HttpStatusCode.OK, $$"""{"models":[{"name":"{{name}}"}],"nextPageToken":"{{next}}"}""");
        });
        var (client, owner) = ClientFor(ProviderType.Gemini, "https://generativelanguage.googleapis.com/v1beta", handler);
        using var _ = owner;

        var models = await FetchAsync(client);

        Assert.Equal(ModelListFetch.MaxPages, handler.Requests.Count);
        Assert.Equal(ModelListFetch.MaxPages, models.Length);
    }
}
