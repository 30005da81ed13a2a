using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;

namespace Router.EndToEnd.Tests;

/// <summary>
/// What the official OpenAI .NET SDK sends reaches Anthropic and Gemini with its meaning, field by field in the
/// bodies the mocks recorded, or is refused with a 400 naming the field; under drop-params it is left out and
/// named in x-router-dropped-params.
/// </summary>
[Collection("gateway")]
public sealed class TranslationFidelityTests(GatewayFixture gateway)
{
    private const string AnthropicPath = "/anthropic/v1/messages";
    private const string Contact = """{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private JsonObject LastBody(string path) => gateway.Mock.Received.Last(r => r.Path == path).Body;

    private static ChatCompletionOptions JsonSchema() => new()
    {
        ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("contact", BinaryData.FromString(Contact), jsonSchemaIsStrict: true),
    };

#pragma warning disable OPENAI001 // The SDK marks reasoning_effort as evaluation-only; it is the field under test.
    [Fact]
    public async Task Reasoning_effort_reaches_anthropic_as_thinking_and_gemini_as_a_thinking_config()
    {
        var options = new ChatCompletionOptions { ReasoningEffortLevel = ChatReasoningEffortLevel.High, MaxOutputTokenCount = 16000 };
        ChatMessage[] question = [new UserChatMessage("think hard")];

        await gateway.Sdk().GetChatClient("claude/claude-sonnet-4-5").CompleteChatAsync(question, options, Ct);
        var anthropic = LastBody(AnthropicPath);
        Assert.Equal(16000, anthropic["max_tokens"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"enabled","budget_tokens":4096}"""), anthropic["thinking"]));
        Assert.Null(anthropic["reasoning_effort"]);

        await gateway.Sdk().GetChatClient("google/gemini-2.5-flash").CompleteChatAsync(question, options, Ct);
        var config = LastBody("/gemini/v1beta/models/gemini-2.5-flash:generateContent")["generationConfig"]!;
        Assert.Equal(16000, config["maxOutputTokens"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"thinkingBudget":4096,"includeThoughts":true}"""), config["thinkingConfig"]));
    }
#pragma warning restore OPENAI001

    [Fact]
    public async Task A_json_schema_goes_natively_to_a_claude_model_that_has_structured_outputs()
    {
        var completion = (await gateway.Sdk().GetChatClient("claude/claude-sonnet-4-5")
            .CompleteChatAsync([new UserChatMessage("John Smith")], JsonSchema(), Ct)).Value;

        var body = LastBody(AnthropicPath);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""{"format":{"type":"json_schema","schema":{{{Contact}}}}}"""), body["output_config"]));
        Assert.Null(body["tools"]);
        Assert.Equal("John Smith", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
    }

    [Fact]
    public async Task An_older_claude_model_is_forced_to_call_a_json_tool_whose_input_comes_back_as_the_content()
    {
        var completion = (await gateway.Sdk().GetChatClient("claude/claude-3-5-haiku-20241022")
            .CompleteChatAsync([new UserChatMessage("John Smith")], JsonSchema(), Ct)).Value;

        var body = LastBody(AnthropicPath);
        var tool = Assert.Single(body["tools"]!.AsArray())!;
        Assert.Equal("json_tool_call", tool["name"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Contact), tool["input_schema"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"tool","name":"json_tool_call"}"""), body["tool_choice"]));
        Assert.Null(body["output_config"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name":"John Smith"}"""), JsonNode.Parse(completion.Content[0].Text)));
        Assert.Empty(completion.ToolCalls);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
    }

    [Fact]
    public async Task A_streamed_forced_json_tool_streams_its_input_as_the_content()
    {
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        var toolCalls = 0;
        await foreach (var update in gateway.Sdk().GetChatClient("claude/claude-3-5-haiku-20241022")
                           .CompleteChatStreamingAsync([new UserChatMessage("Jane Doe")], JsonSchema(), Ct))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            toolCalls += update.ToolCallUpdates.Count;
            finish ??= update.FinishReason;
        }

        Assert.Equal("json_tool_call", LastBody(AnthropicPath)["tool_choice"]!["name"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name":"Jane Doe"}"""), JsonNode.Parse(text.ToString())));
        Assert.Equal(0, toolCalls);
        Assert.Equal(ChatFinishReason.Stop, finish);
    }

    [Fact]
    public async Task Json_object_and_json_schema_reach_gemini_as_its_json_output()
    {
        await gateway.Sdk().GetChatClient("google/gemini-2.5-flash").CompleteChatAsync([new UserChatMessage("John Smith")], JsonSchema(), Ct);

        var config = LastBody("/gemini/v1beta/models/gemini-2.5-flash:generateContent")["generationConfig"]!;
        Assert.Equal("application/json", config["responseMimeType"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Contact), config["responseJsonSchema"]));
    }

#pragma warning disable OPENAI001 // The SDK marks seed as evaluation-only; it is a field under test.
    [Fact]
    public async Task Seed_penalties_n_stop_and_logprobs_reach_gemini_in_its_generation_config()
    {
        var options = new ChatCompletionOptions
        {
            Seed = 7, PresencePenalty = 0.5f, FrequencyPenalty = 0.25f, MaxOutputTokenCount = 300, IncludeLogProbabilities = true,
            TopLogProbabilityCount = 2,
        };
        options.StopSequences.Add("END");

        await gateway.Sdk().GetChatClient("google/gemini-2.5-flash").CompleteChatAsync([new UserChatMessage("hello gemini")], options, Ct);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"maxOutputTokens":300,"stopSequences":["END"],"presencePenalty":0.5,"frequencyPenalty":0.25,"seed":7,"responseLogprobs":true,"logprobs":2}
            """), LastBody("/gemini/v1beta/models/gemini-2.5-flash:generateContent")["generationConfig"]));
    }
#pragma warning restore OPENAI001

#pragma warning disable SCME0001 // JsonPatch is how the SDK sends a field it has no property for, such as cache_control.
    [Fact]
    public async Task Cache_control_on_a_system_message_and_a_user_part_reaches_anthropic_on_the_same_blocks()
    {
        // One text part is sent as a string, so the system message carries its breakpoint itself (LiteLLM's form).
        var system = new SystemChatMessage("You answer from this long document.");
        system.Patch.Set("$.cache_control"u8, BinaryData.FromString("""{"type":"ephemeral"}"""));
        var cached = ChatMessageContentPart.CreateTextPart("hello cache");
        cached.Patch.Set("$.cache_control"u8, BinaryData.FromString("""{"type":"ephemeral","ttl":"1h"}"""));
        var user = new UserChatMessage(cached, ChatMessageContentPart.CreateTextPart("and more"));

        await gateway.Sdk().GetChatClient("claude/claude-sonnet-4-5").CompleteChatAsync([system, user], cancellationToken: Ct);

        var body = LastBody(AnthropicPath);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"type":"text","text":"You answer from this long document.","cache_control":{"type":"ephemeral"}}]"""), body["system"]),
            body.ToJsonString());
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"type":"text","text":"hello cache","cache_control":{"type":"ephemeral","ttl":"1h"}},{"type":"text","text":"and more"}]"""),
            body["messages"]![0]!["content"]), body.ToJsonString());
    }
#pragma warning restore SCME0001

    [Fact]
    public async Task A_field_anthropic_has_no_counterpart_for_is_refused_naming_it()
    {
        var options = new ChatCompletionOptions();
        options.LogitBiases.Add(50256, -100);
        var sent = gateway.Mock.Received.Count;

        var refused = await Assert.ThrowsAsync<ClientResultException>(() =>
            gateway.Sdk().GetChatClient("claude/claude-sonnet-4-5").CompleteChatAsync([new UserChatMessage("hi")], options, Ct));

        Assert.Equal(400, refused.Status);
        var error = JsonNode.Parse(refused.GetRawResponse()!.Content.ToString())!["error"]!;
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal("logit_bias", error["param"]!.GetValue<string>());
        Assert.Equal(sent, gateway.Mock.Received.Count);
    }

    [Fact]
    public async Task Under_drop_params_the_field_is_left_out_and_named_in_the_response_header()
    {
        var options = new ChatCompletionOptions { Temperature = 0.5f, FrequencyPenalty = 0.2f };
        options.LogitBiases.Add(50256, -100);

        var result = await gateway.Sdk().GetChatClient("claude-lenient/claude-sonnet-4-5")
            .CompleteChatAsync([new UserChatMessage("hello lenient")], options, Ct);

        Assert.Equal("hello lenient", result.Value.Content[0].Text);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-router-dropped-params", out var dropped));
        Assert.Equal(["frequency_penalty", "logit_bias"], dropped!.Split(',').Order());
        var body = LastBody(AnthropicPath);
        Assert.Equal(0.5, body["temperature"]!.GetValue<double>(), 3);
        Assert.Null(body["logit_bias"]);
        Assert.Null(body["frequency_penalty"]);
    }

    [Theory]
    [InlineData("claude/claude-sonnet-4-5")]
    [InlineData("mock/gpt-4o-mini")]
    public async Task Invalid_utf8_in_the_body_is_a_400_naming_the_field(string model)
    {
        byte[] body = [.. Encoding.UTF8.GetBytes($$"""{"model":"{{model}}","messages":[{"role":"user","content":"caf"""), 0xC3, 0x28,
            .. "\"}]}"u8.ToArray()];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        using var response = await gateway.Http().PostAsync("/v1/chat/completions", content, Ct);

        await AssertRefusedAsync(response, "messages", "invalid_utf8");
    }

    [Theory]
    [InlineData("/v1/chat/completions", "claude/claude-sonnet-4-5", "messages")]
    [InlineData("/v1/chat/completions", "mock/gpt-4o-mini", "messages")]
    [InlineData("/v1/messages", "claude/claude-sonnet-4-5", "messages")]
    [InlineData("/v1/responses", "mock/gpt-4o-mini", "input")]
    public async Task Half_a_surrogate_pair_in_the_body_is_a_400_naming_the_field_and_reaches_no_provider(string path, string model, string field)
    {
        // Valid JSON and valid UTF-8, but "\ud800" is half of a UTF-16 pair: no string can hold it, so nothing could read it on.
        var text = "\"caf\\ud800\"";
        var body = field == "input"
            ? $$"""{"model":"{{model}}","input":{{text}}}"""
            : $$"""{"model":"{{model}}","max_tokens":16,"messages":[{"role":"user","content":{{text}}}]}""";
        var before = gateway.Mock.Received.Count;
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await gateway.Http().PostAsync(path, content, Ct);

        await AssertRefusedAsync(response, field, "invalid_unicode");
        Assert.Equal(before, gateway.Mock.Received.Count);
    }

    /// <summary>A 400 whose error names the field and says why.</summary>
    private static async Task AssertRefusedAsync(HttpResponseMessage response, string param, string code)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal(param, error["param"]!.GetValue<string>());
        Assert.Equal(code, error["code"]!.GetValue<string>());
    }
}
