using System.Text.Json.Nodes;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;

namespace Router.EndToEnd.Tests;

/// <summary>The official OpenAI .NET SDK, pointed at the router, does what it does against OpenAI.</summary>
[Collection("gateway")]
public sealed class SdkTests(GatewayFixture gateway)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Chat_reaches_the_provider_with_the_provider_key_and_returns_its_answer_and_usage()
    {
        var chat = gateway.Sdk().GetChatClient("gpt-4o-mini");

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("hello there router")], cancellationToken: Ct);

        Assert.Equal("hello there router", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(6, completion.Usage.InputTokenCount);
        Assert.Equal(3, completion.Usage.OutputTokenCount);
        // The mock refuses any request without the provider key, so reaching it proves the key was sent.
        Assert.Equal("gpt-4o-mini", LastBody("/v1/chat/completions")["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_alias_is_sent_upstream_under_its_target_name()
    {
        ChatCompletion completion = await gateway.Sdk().GetChatClient("fast")
            .CompleteChatAsync([new UserChatMessage("alias works")], cancellationToken: Ct);

        Assert.Equal("alias works", completion.Content[0].Text);
        Assert.Equal("gpt-4o-mini", LastBody("/v1/chat/completions")["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_namespace_wildcard_sends_the_rest_of_the_name_upstream()
    {
        ChatCompletion completion = await gateway.Sdk().GetChatClient("mock/llama3.2:3b")
            .CompleteChatAsync([new UserChatMessage("wildcard")], cancellationToken: Ct);

        Assert.Equal("wildcard", completion.Content[0].Text);
        Assert.Equal("llama3.2:3b", LastBody("/v1/chat/completions")["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_request_field_the_router_does_not_act_on_reaches_the_provider_unchanged()
    {
        var options = new ChatCompletionOptions { Temperature = 0.25f, MaxOutputTokenCount = 77, EndUserId = "user-42" };
        options.Tools.Add(ChatTool.CreateFunctionTool("lookup", "Looks a thing up",
            BinaryData.FromString("""{"type":"object","properties":{"q":{"type":"string"}}}""")));

        await gateway.Sdk().GetChatClient("gpt-4o-mini").CompleteChatAsync(
            [new SystemChatMessage("be brief"), new UserChatMessage("fields pass")], options, Ct);

        var body = LastBody("/v1/chat/completions");
        Assert.Equal(0.25, body["temperature"]!.GetValue<double>(), 3);
        Assert.Equal("user-42", body["user"]!.GetValue<string>());
        Assert.Equal("lookup", body["tools"]![0]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("be brief", body["messages"]![0]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Streamed_chat_arrives_chunk_by_chunk_with_usage()
    {
        var chat = gateway.Sdk().GetChatClient("gpt-4o-mini");
        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        var updates = 0;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("one two three four")], cancellationToken: Ct))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            usage ??= update.Usage;
        }

        Assert.Equal("one two three four", text.ToString());
        Assert.True(updates >= 5, $"expected one update per word plus role and finish, got {updates}");
        Assert.NotNull(usage);
        Assert.Equal(4, usage.OutputTokenCount);
    }

    [Fact]
    public async Task Embeddings_come_back_as_vectors()
    {
        var embeddings = gateway.Sdk().GetEmbeddingClient("text-embedding-3-small");

        var embedding = await embeddings.GenerateEmbeddingAsync("hello", cancellationToken: Ct);

        Assert.Equal(8, embedding.Value.ToFloats().Length);
        Assert.Equal("text-embedding-3-small", LastBody("/v1/embeddings")["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task Models_lists_the_configured_routes()
    {
        var models = await gateway.Sdk().GetOpenAIModelClient().GetModelsAsync(Ct);

        var ids = models.Value.Select(m => m.Id).ToList();
        Assert.Contains("gpt-4o-mini", ids);
        Assert.Contains("fast", ids);
        // A pattern is not a name the SDK can send; the models behind it are listed (ModelListTests).
        Assert.DoesNotContain("mock/*", ids);
    }

    [Fact]
    public async Task Provider_errors_reach_the_sdk_with_their_status_and_message()
    {
        var error = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() =>
            gateway.Sdk().GetChatClient("mock/fail-400").CompleteChatAsync([new UserChatMessage("x")], cancellationToken: Ct));
        Assert.Equal(400, error.Status);
        Assert.Contains("temperature", error.Message);

        var limited = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() =>
            gateway.Sdk().GetChatClient("mock/fail-429-sdk").CompleteChatAsync([new UserChatMessage("x")], cancellationToken: Ct));
        Assert.Equal(429, limited.Status);

        var broken = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() =>
            gateway.Sdk().GetChatClient("mock/fail-500").CompleteChatAsync([new UserChatMessage("x")], cancellationToken: Ct));
        Assert.Equal(500, broken.Status);
    }

    [Fact]
    public async Task A_bad_key_and_an_unknown_model_are_refused_by_the_router()
    {
        var badKey = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() =>
            gateway.Sdk("sk-not-a-real-key").GetChatClient("gpt-4o-mini").CompleteChatAsync([new UserChatMessage("x")], cancellationToken: Ct));
        Assert.Equal(401, badKey.Status);

        var unknown = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() =>
            gateway.Sdk().GetChatClient("no-such-model").CompleteChatAsync([new UserChatMessage("x")], cancellationToken: Ct));
        Assert.Equal(404, unknown.Status);
        Assert.Contains("no-such-model", unknown.Message);
    }

    private JsonObject LastBody(string path) => gateway.Mock.Received.Last(r => r.Path == path).Body;
}
