using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>A router with its in-memory cache and a request log written every 200 ms, in front of one mock provider with a price.</summary>
public sealed class LiteLlmFieldsFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-e2e-litellm-master-5d1c7b9e04";

    public MockOpenAiServer Mock { get; private set; } = null!;
    public RouterProcess Router { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Mock = await MockOpenAiServer.StartAsync();
        Router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              request-log { batch-interval = 200ms, retention = 30d }
              providers { mock { type = openai-compatible, api-base = "{{Mock.ApiBase}}" } }
              models = [
                { name = "mock/*", provider = mock }
                { name = "priced", provider = mock, model = "echo-priced" }
              ]
              prices { "priced" { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 } }
            """);
    }

    public ChatClient Chat(string model) => new OpenAIClient(new ApiKeyCredential(MasterKey), new OpenAIClientOptions
    {
        Endpoint = new Uri(Router.BaseUrl + "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    }).GetChatClient(model);

    /// <summary>The SDK's options with LiteLLM's fields in the body, as Python's <c>extra_body</c> puts them.</summary>
    public static ChatCompletionOptions Extra(params (string Field, string Json)[] fields)
    {
        var options = new ChatCompletionOptions();
#pragma warning disable SCME0001 // JsonPatch is how the SDK sends a field of its body it has no property for
        foreach (var (field, json) in fields) options.Patch.Set(Encoding.UTF8.GetBytes("$." + field), BinaryData.FromString(json));
#pragma warning restore SCME0001
        return options;
    }

    /// <summary>A chat request's JSON with <paramref name="fields"/> (JSON members) after its one message.</summary>
    public static string Body(string model, string fields = "", string text = "say this") =>
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]" + (fields.Length > 0 ? "," + fields : "") + "}";

    /// <summary>Polls /spend/logs?{query} until it counts <paramref name="count"/> rows (then asserts exactly that many).</summary>
    public async Task<JsonArray> LogsAsync(string query, int count)
    {
        using var http = Router.CreateClient(MasterKey);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var page = JsonNode.Parse(await http.GetStringAsync("/spend/logs?" + query, TestContext.Current.CancellationToken))!;
            if (page["total"]!.GetValue<long>() >= count || DateTime.UtcNow > deadline)
            {
                await Task.Delay(400, TestContext.Current.CancellationToken); // one more batch interval: nothing more may arrive
                page = JsonNode.Parse(await http.GetStringAsync("/spend/logs?" + query, TestContext.Current.CancellationToken))!;
                Assert.Equal(count, page["total"]!.GetValue<long>());
                return page["data"]!.AsArray();
            }
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Mock.DisposeAsync();
    }
}

[CollectionDefinition("litellm")]
public sealed class LiteLlmCollection : ICollectionFixture<LiteLlmFieldsFixture>;
