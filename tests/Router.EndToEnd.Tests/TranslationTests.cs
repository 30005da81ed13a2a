using System.Text.Json.Nodes;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The official OpenAI .NET SDK gets the same result through the router from an OpenAI, an Anthropic
/// and a Gemini upstream: the mocks decide their answers alike (see MockAnswer) and each speaks its
/// own provider's wire format, so any difference is the router's translation.
/// </summary>
[Collection("gateway")]
public sealed class TranslationTests(GatewayFixture gateway)
{
    private const string OpenAi = "mock/gpt-4o-mini";
    private const string Anthropic = "claude/claude-sonnet-4-5";
    private const string Gemini = "google/gemini-2.5-flash";
    private static readonly string[] Models = [OpenAi, Anthropic, Gemini];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record StreamedTurn(string Text, List<(string Id, string Name, string Arguments)> Calls, ChatFinishReason? Finish,
        int? InputTokens, int? OutputTokens);

    [Fact]
    public async Task A_streamed_parallel_tool_call_comes_back_the_same_from_every_provider()
    {
        var turns = new Dictionary<string, StreamedTurn>();
        foreach (var model in Models) turns[model] = await StreamAsync(model, [new UserChatMessage("Paris in spring")], WithTools());

        var openAi = turns[OpenAi];
        Assert.Equal(ChatFinishReason.ToolCalls, openAi.Finish);
        Assert.Equal(["get_weather", "get_time"], openAi.Calls.Select(c => c.Name));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"location":"Paris in spring"}"""), JsonNode.Parse(openAi.Calls[0].Arguments)));
        foreach (var model in new[] { Anthropic, Gemini })
        {
            var turn = turns[model];
            Assert.Equal(openAi.Finish, turn.Finish);
            Assert.Equal(openAi.Calls.Select(c => c.Name), turn.Calls.Select(c => c.Name));
            Assert.All(openAi.Calls.Zip(turn.Calls), pair =>
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(pair.Item1.Arguments), JsonNode.Parse(pair.Item2.Arguments)), model));
            Assert.All(turn.Calls, call => Assert.False(string.IsNullOrEmpty(call.Id)));
            Assert.Equal("", turn.Text);
            Assert.Equal((openAi.InputTokens, openAi.OutputTokens), (turn.InputTokens, turn.OutputTokens));
        }
    }

    [Fact]
    public async Task The_tool_results_go_back_and_the_answer_streams_the_same_from_every_provider()
    {
        var answers = new Dictionary<string, StreamedTurn>();
        foreach (var model in Models)
        {
            var first = await StreamAsync(model, [new UserChatMessage("Paris in spring")], WithTools());
            List<ChatMessage> conversation =
            [
                new SystemChatMessage("Answer from the tools."),
                new UserChatMessage("Paris in spring"),
                new AssistantChatMessage(first.Calls.Select(c =>
                    ChatToolCall.CreateFunctionToolCall(c.Id, c.Name, BinaryData.FromString(c.Arguments))).ToList()),
                new ToolChatMessage(first.Calls[0].Id, "sunny and 22 degrees"),
                new ToolChatMessage(first.Calls[1].Id, "five past two"),
            ];
            answers[model] = await StreamAsync(model, conversation, WithTools());
        }

        Assert.Equal("The tool said: five past two", answers[OpenAi].Text);
        Assert.All(Models, model =>
        {
            Assert.Equal(answers[OpenAi].Text, answers[model].Text);
            Assert.Equal(ChatFinishReason.Stop, answers[model].Finish);
            Assert.Empty(answers[model].Calls);
        });
    }

    [Fact]
    public async Task A_system_prompt_a_multi_turn_history_and_an_image_get_the_same_answer_from_every_provider()
    {
        var png = BinaryData.FromBytes(Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="));
        List<ChatMessage> conversation =
        [
            new SystemChatMessage("Describe pictures briefly."),
            new UserChatMessage("hello"),
            new AssistantChatMessage("hello"),
            new UserChatMessage(ChatMessageContentPart.CreateTextPart("what is in this picture"),
                ChatMessageContentPart.CreateImagePart(png, "image/png")),
        ];

        var completions = new Dictionary<string, ChatCompletion>();
        foreach (var model in Models)
            completions[model] = await gateway.Sdk().GetChatClient(model).CompleteChatAsync(conversation, cancellationToken: Ct);

        Assert.All(Models, model =>
        {
            Assert.Equal("what is in this picture", completions[model].Content[0].Text);
            Assert.Equal(ChatFinishReason.Stop, completions[model].FinishReason);
            Assert.Equal(completions[OpenAi].Usage.InputTokenCount, completions[model].Usage.InputTokenCount);
            Assert.Equal(completions[OpenAi].Usage.OutputTokenCount, completions[model].Usage.OutputTokenCount);
        });

        var anthropic = LastBody("/anthropic/v1/messages");
        Assert.Equal("Describe pictures briefly.", anthropic["system"]!.GetValue<string>());
        Assert.Equal("claude-sonnet-4-5", anthropic["model"]!.GetValue<string>());
        Assert.Equal(1024, anthropic["max_tokens"]!.GetValue<int>());
        var image = anthropic["messages"]!.AsArray()[^1]!["content"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "image")!;
        Assert.Equal("base64", image["source"]!["type"]!.GetValue<string>());
        Assert.Equal("image/png", image["source"]!["media_type"]!.GetValue<string>());

        var gemini = LastBody("/gemini/v1beta/models/gemini-2.5-flash:generateContent");
        Assert.Equal("Describe pictures briefly.", gemini["systemInstruction"]!["parts"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(["user", "model", "user"], gemini["contents"]!.AsArray().Select(c => c!["role"]!.GetValue<string>()));
        var inline = gemini["contents"]!.AsArray()[^1]!["parts"]!.AsArray().Single(p => p!["inlineData"] is not null)!["inlineData"]!;
        Assert.Equal("image/png", inline["mimeType"]!.GetValue<string>());
    }

    private JsonObject LastBody(string path) => gateway.Mock.Received.Last(r => r.Path == path).Body;

    private static ChatCompletionOptions WithTools()
    {
        var options = new ChatCompletionOptions();
        options.Tools.Add(ChatTool.CreateFunctionTool("get_weather", "The weather at a place",
            BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}""")));
        options.Tools.Add(ChatTool.CreateFunctionTool("get_time", "The local time in a time zone",
            BinaryData.FromString("""{"type":"object","properties":{"timezone":{"type":"string"}},"required":["timezone"]}""")));
        return options;
    }

    private async Task<StreamedTurn> StreamAsync(string model, List<ChatMessage> messages, ChatCompletionOptions options)
    {
        var text = new System.Text.StringBuilder();
        var calls = new SortedDictionary<int, (string Id, string Name, System.Text.StringBuilder Arguments)>();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in gateway.Sdk().GetChatClient(model).CompleteChatStreamingAsync(messages, options, Ct))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            foreach (var call in update.ToolCallUpdates)
            {
                if (!calls.TryGetValue(call.Index, out var known)) known = (call.ToolCallId, call.FunctionName, new System.Text.StringBuilder());
                if (call.FunctionArgumentsUpdate is { } piece && !piece.ToMemory().IsEmpty) known.Arguments.Append(piece.ToString());
                calls[call.Index] = known;
            }
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        return new StreamedTurn(text.ToString(), calls.Values.Select(c => (c.Id, c.Name, c.Arguments.ToString())).ToList(), finish,
            usage?.InputTokenCount, usage?.OutputTokenCount);
    }
}
