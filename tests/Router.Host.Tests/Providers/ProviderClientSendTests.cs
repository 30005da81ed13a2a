using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Providers;
using Router.Host.Translation;

namespace Router.Host.Tests.Providers;

/// <summary>
/// What a provider client puts on the wire for each provider type in the registry, seen through a fake
/// handler: its credentials, the path below its api-base, the upstream model, and the client's request
/// left as it came (the retry loop sends it to the next deployment; the cache and the log read it).
/// </summary>
public sealed class ProviderClientSendTests
{
    private const string Key = "secret-key";
    private const string UpstreamModel = "upstream-model";

    private static readonly ProviderTimeouts Timeouts =
        new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));

    /// <summary>The header and value that carry the key, the path, and whether the body names the model (Gemini's path does).</summary>
    private sealed record Expected(string ApiBase, string AuthHeader, string AuthValue, string PathAndQuery, bool ModelInBody);

    private static readonly Dictionary<ProviderType, Expected> ByType = new()
    {
        [ProviderType.OpenAi] = new("https://api.openai.com/v1", "Authorization", "Bearer " + Key, "/v1/chat/completions", true),
        [ProviderType.OpenAiCompatible] = new("http://127.0.0.1:11434/v1", "Authorization", "Bearer " + Key, "/v1/chat/completions", true),
        [ProviderType.Anthropic] = new("https://api.anthropic.com/v1", "x-api-key", Key, "/v1/messages", true),
        [ProviderType.Gemini] = new("https://generativelanguage.googleapis.com/v1beta", "x-goog-api-key", Key,
            $"/v1beta/models/{UpstreamModel}:streamGenerateContent?alt=sse", false),
    };

    [Fact]
    public void Every_registered_provider_type_is_checked_here()
    {
        Assert.Equal(ProviderRegistry.All.Select(d => d.Type).Order(), ByType.Keys.Order());
    }

    [Theory]
    [InlineData(ProviderType.OpenAi)]
    [InlineData(ProviderType.OpenAiCompatible)]
    [InlineData(ProviderType.Anthropic)]
    [InlineData(ProviderType.Gemini)]
    public async Task A_streamed_chat_goes_out_authenticated_to_its_path_with_the_upstream_model(ProviderType type)
    {
        var expected = ByType[type];
        var settings = new ProviderSettings("p", type, new Uri(expected.ApiBase), Key, true, new Dictionary<string, string>(), Timeouts);
        var handler = new CapturingHandler();
        using var clients = new ProviderClients([settings], _ => handler);
        var client = clients.Get("p");
        const string json = """{"model":"client-model","stream":true,"messages":[{"role":"user","content":"hi"}],"temperature":0.5}""";
        var request = JsonSerializer.Deserialize(json, WireJsonContext.Wire.ProxyRequest)!;
        var before = JsonSerializer.Serialize(request, WireJsonContext.Wire.ProxyRequest);

        var call = client.Dialect.BuildCall(ProxyOperation.ChatCompletions, request, new CallContext(UpstreamModel, true, new HeaderDictionary()));
        using var response = await client.SendAsync(call, settings.Timeouts.Connect, TestContext.Current.CancellationToken);

        var sent = handler.Request!;
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal(expected.PathAndQuery, sent.RequestUri!.PathAndQuery);
        Assert.Equal([expected.AuthValue], sent.Headers.GetValues(expected.AuthHeader));
        Assert.DoesNotContain(Key, sent.RequestUri.ToString());
        var body = JsonNode.Parse(handler.Body)!.AsObject();
        Assert.Equal(expected.ModelInBody ? UpstreamModel : null, body["model"]?.GetValue<string>());
        Assert.Equal(before, JsonSerializer.Serialize(request, WireJsonContext.Wire.ProxyRequest));
        Assert.Equal("client-model", request.Model);
        Assert.Null(request.StreamOptions);
    }

    [Fact]
    public async Task An_openai_stream_asks_for_usage_upstream_and_keeps_the_clients_other_stream_options()
    {
        var settings = new ProviderSettings("p", ProviderType.OpenAiCompatible, new Uri("http://127.0.0.1:8000/v1"), null, false,
            new Dictionary<string, string>(), Timeouts);
        var handler = new CapturingHandler();
        using var client = new ProviderClient(settings, handler);
        var request = JsonSerializer.Deserialize(
            """{"model":"m","stream":true,"stream_options":{"include_usage":false,"x":1},"prompt":"hi"}""", WireJsonContext.Wire.ProxyRequest)!;

        var call = client.Dialect.BuildCall(ProxyOperation.Completions, request, new CallContext(UpstreamModel, true, new HeaderDictionary()));
        using var response = await client.SendAsync(call, settings.Timeouts.Connect, TestContext.Current.CancellationToken);

        var options = JsonNode.Parse(handler.Body)!["stream_options"]!;
        Assert.True(options["include_usage"]!.GetValue<bool>());
        Assert.Equal(1, options["x"]!.GetValue<int>());
        Assert.False(request.StreamOptions!.IncludeUsage);
        Assert.Equal("m", request.Model);
        Assert.Null(handler.Request!.Headers.Authorization);
    }
}
