using System.Net;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>An Ollama's own models are listed and routed as provider/name with no route entry of their own.</summary>
[Collection("gateway")]
public sealed class DiscoveryTests(GatewayFixture gateway)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Discovered_models_are_listed_and_routed_without_configuration()
    {
        var ids = await EventuallyListedAsync("lan-ollama/llama3.2:3b");
        Assert.Contains("lan-ollama/qwen2.5-coder:7b", ids);

        ChatCompletion completion = await gateway.Sdk().GetChatClient("lan-ollama/llama3.2:3b")
            .CompleteChatAsync([new UserChatMessage("found you")], cancellationToken: Ct);

        Assert.Equal("found you", completion.Content[0].Text);
        Assert.Equal("llama3.2:3b", gateway.Mock.Received.Last(r => r.Path == "/v1/chat/completions").Body["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_ollama_that_is_down_hides_its_models_and_nothing_else()
    {
        var ids = await EventuallyListedAsync("lan-ollama/llama3.2:3b");

        Assert.DoesNotContain(ids, id => id.StartsWith("gone-ollama/", StringComparison.Ordinal) && id != "gone-ollama/*");
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/chat/completions", Chat("gone-ollama/llama3.2:3b"), Ct);
        var error = await ErrorOf(response, HttpStatusCode.BadGateway);
        Assert.Equal("gone-ollama", error["provider"]!.GetValue<string>());
        Assert.Contains("gone-ollama' did not list its models", gateway.Router.Output);
    }

    private async Task<List<string>> EventuallyListedAsync(string id)
    {
        using var http = gateway.Http();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var body = JsonNode.Parse(await http.GetStringAsync("/v1/models", Ct))!;
            var ids = body["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
            if (ids.Contains(id) || DateTime.UtcNow > deadline) return ids.Contains(id) ? ids : throw new Xunit.Sdk.XunitException($"{id} never listed: {string.Join(", ", ids)}");
            await Task.Delay(100, Ct);
        }
    }
}
