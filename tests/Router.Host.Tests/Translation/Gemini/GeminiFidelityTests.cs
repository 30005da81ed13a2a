using Microsoft.AspNetCore.Http;
using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Translation;
using Router.Host.Translation.Gemini;
using static Router.Host.Tests.Translation.Gemini.GeminiTestKit;

namespace Router.Host.Tests.Translation.Gemini;

/// <summary>
/// reasoning_effort and thinking as Gemini's thinkingConfig (shapes from Gemini's thinking guide; budgets are
/// LiteLLM's), and the fields Gemini has no counterpart for: refused naming them, or dropped and reported
/// under drop-params.
/// </summary>
public sealed class GeminiFidelityTests
{
    private const string Hi = """[{"role":"user","content":"Hi"}]""";

    private static UpstreamCall CallFor(string model, string json, bool dropParams = false) =>
        new GeminiDialect(Settings with { DropParams = dropParams })
            .BuildCall(ProxyOperation.ChatCompletions, Request(json), new CallContext(model, false, new HeaderDictionary()));

    private static System.Text.Json.Nodes.JsonNode? Config(string model, string json) =>
        System.Text.Json.Nodes.JsonNode.Parse(CallFor(model, json).Body)!["generationConfig"];

    [Theory]
    [InlineData("gemini-2.5-flash", "minimal", """{"thinkingBudget":512,"includeThoughts":true}""")]
    [InlineData("gemini-2.5-pro", "minimal", """{"thinkingBudget":128,"includeThoughts":true}""")]
    [InlineData("gemini-2.5-flash", "low", """{"thinkingBudget":1024,"includeThoughts":true}""")]
    [InlineData("gemini-2.5-flash", "medium", """{"thinkingBudget":2048,"includeThoughts":true}""")]
    [InlineData("gemini-2.5-pro", "high", """{"thinkingBudget":4096,"includeThoughts":true}""")]
    [InlineData("gemini-2.5-flash", "none", """{"thinkingBudget":0}""")]
    [InlineData("gemini-3-flash-preview", "minimal", """{"thinkingLevel":"minimal","includeThoughts":true}""")]
    [InlineData("gemini-3-flash-preview", "medium", """{"thinkingLevel":"medium","includeThoughts":true}""")]
    [InlineData("gemini-3-pro-preview", "minimal", """{"thinkingLevel":"low","includeThoughts":true}""")]
    [InlineData("gemini-3-pro-preview", "medium", """{"thinkingLevel":"high","includeThoughts":true}""")]
    [InlineData("gemini-3.5-flash", "high", """{"thinkingLevel":"high","includeThoughts":true}""")]
    public void Reasoning_effort_becomes_a_thinking_budget_or_level_by_model(string model, string effort, string thinkingConfig)
    {
        AssertJson($$"""{"thinkingConfig":{{thinkingConfig}}}""", Config(model, $$"""{"model":"g","messages":{{Hi}},"reasoning_effort":"{{effort}}"}"""));
    }

    [Theory]
    [InlineData("""{"type":"enabled","budget_tokens":10000}""", """{"thinkingBudget":10000,"includeThoughts":true}""")]
    [InlineData("""{"type":"adaptive"}""", """{"thinkingBudget":-1,"includeThoughts":true}""")]
    [InlineData("""{"type":"disabled"}""", """{"thinkingBudget":0}""")]
    public void A_clients_thinking_object_becomes_the_thinking_config(string thinking, string thinkingConfig)
    {
        AssertJson($$"""{"maxOutputTokens":16000,"thinkingConfig":{{thinkingConfig}}}""",
            Config("gemini-2.5-flash", $$"""{"model":"g","messages":{{Hi}},"max_tokens":16000,"thinking":{{thinking}}}"""));
    }

    [Theory]
    [InlineData("gemini-3-pro-preview", """{"reasoning_effort":"none"}""", "reasoning_effort")]
    [InlineData("gemini-2.5-flash", """{"reasoning_effort":"max"}""", "reasoning_effort")]
    [InlineData("gemini-2.5-flash", """{"thinking":{"type":"enabled"}}""", "thinking.budget_tokens")]
    [InlineData("gemini-2.5-flash", """{"thinking":{"type":"sometimes"}}""", "thinking.type")]
    [InlineData("gemini-2.5-flash", """{"thinking":{"type":"adaptive"},"reasoning_effort":"low"}""", "reasoning_effort")]
    public void Thinking_requests_that_cannot_be_honoured_are_refused_naming_the_field(string model, string fields, string param)
    {
        var error = Assert.Throws<RouterError>(() => CallFor(model, $$"""{"model":"g","messages":{{Hi}},{{fields[1..^1]}}}"""));

        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Body.Param);
    }

    [Theory]
    [InlineData("\"user\":\"u-1\"", "user")]
    [InlineData("\"logit_bias\":{\"50256\":-100}", "logit_bias")]
    [InlineData("\"service_tier\":\"auto\"", "service_tier")]
    [InlineData("\"parallel_tool_calls\":false", "parallel_tool_calls")]
    public void A_field_without_a_counterpart_is_refused_naming_it(string field, string param)
    {
        var error = Assert.Throws<RouterError>(() => CallFor("gemini-2.5-flash", $$"""{"model":"g","messages":{{Hi}},{{field}}}"""));

        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_request_error", error.Body.Type);
        Assert.Equal(param, error.Body.Param);
    }

    [Fact]
    public void Cache_control_has_no_counterpart_and_is_refused_where_it_sits()
    {
        var error = Assert.Throws<RouterError>(() => CallFor("gemini-2.5-flash", """
            {"model":"g","messages":[{"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral"}}]}]}
            """));

        Assert.Equal("messages[0].content[0].cache_control", error.Body.Param);
    }

    [Fact]
    public void Under_drop_params_they_are_left_out_and_reported_once_each()
    {
        var call = CallFor("gemini-2.5-flash", """
            {"model":"g","messages":[{"role":"system","content":"Be brief.","cache_control":{"type":"ephemeral"}},
                                     {"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral"}}]}],
             "user":"u-1","parallel_tool_calls":true,"temperature":0.5}
            """, dropParams: true);

        AssertJson("""
            {"systemInstruction":{"parts":[{"text":"Be brief."}]},"contents":[{"role":"user","parts":[{"text":"Hi"}]}],
             "generationConfig":{"temperature":0.5}}
            """, System.Text.Json.Nodes.JsonNode.Parse(call.Body));
        Assert.Equal(["user", "cache_control"], call.DroppedParams);
    }

    [Theory]
    [InlineData("\"max_tokens\":0", "max_tokens")]
    [InlineData("\"n\":0", "n")]
    [InlineData("\"seed\":\"x\"", "seed")]
    [InlineData("\"presence_penalty\":\"high\"", "presence_penalty")]
    [InlineData("\"tools\":\"get_weather\"", "tools")]
    [InlineData("\"top_logprobs\":2", "top_logprobs")] // only with logprobs, as OpenAI requires
    [InlineData("\"logprobs\":true,\"top_logprobs\":21", "top_logprobs")]
    public void An_invalid_value_of_a_translated_field_is_refused_naming_it(string field, string param)
    {
        var error = Assert.Throws<RouterError>(() => CallFor("gemini-2.5-flash", $$"""{"model":"g","messages":{{Hi}},{{field}}}"""));

        Assert.Equal(param, error.Body.Param);
    }

    [Fact]
    public void Logprobs_ask_gemini_for_log_probabilities_and_top_logprobs_for_alternatives()
    {
        AssertJson("""{"responseLogprobs":true,"logprobs":2}""",
            Config("gemini-2.5-flash", $$"""{"model":"g","messages":{{Hi}},"logprobs":true,"top_logprobs":2}"""));
    }

    private const string LogprobsResult = """
        "logprobsResult":{"topCandidates":[
            {"candidates":[{"token":"Hello","tokenId":1,"logProbability":-0.1},{"token":"Hi","tokenId":2,"logProbability":-2.5}]},
            {"candidates":[{"token":"!","tokenId":3,"logProbability":-0.2}]}],
          "chosenCandidates":[{"token":"Hello","tokenId":1,"logProbability":-0.1},{"token":"!","tokenId":3,"logProbability":-0.2}]}
        """;

    private const string OpenAiLogprobs = """
        {"content":[
          {"token":"Hello","logprob":-0.1,"bytes":[72,101,108,108,111],"top_logprobs":[
            {"token":"Hello","logprob":-0.1,"bytes":[72,101,108,108,111]},{"token":"Hi","logprob":-2.5,"bytes":[72,105]}]},
          {"token":"!","logprob":-0.2,"bytes":[33],"top_logprobs":[{"token":"!","logprob":-0.2,"bytes":[33]}]}],
         "refusal":null}
        """;

    [Fact]
    public void A_candidates_logprobs_result_becomes_the_choices_logprobs()
    {
        var answer = Translate($$"""
            {"candidates":[{"content":{"parts":[{"text":"Hello!"}],"role":"model"},"finishReason":"STOP","index":0,{{LogprobsResult}}}],
             "modelVersion":"gemini-2.5-flash"}
            """);

        AssertJson(OpenAiLogprobs, answer["choices"]![0]!["logprobs"]);
    }

    [Fact]
    public void A_streamed_events_logprobs_go_with_its_text()
    {
        var (frames, _, _) = Stream(false,
            // One SSE data line: the event's JSON without its line breaks.
            $$"""{"candidates":[{"content":{"parts":[{"text":"Hello!"}],"role":"model"},"finishReason":"STOP","index":0,{{LogprobsResult}}}]}""".ReplaceLineEndings(""));

        var content = Payloads(frames)[1]!["choices"]![0]!;
        Assert.Equal("Hello!", content["delta"]!["content"]!.GetValue<string>());
        AssertJson(OpenAiLogprobs, content["logprobs"]);
    }

    [Fact]
    public void A_message_name_has_no_counterpart_and_is_refused_where_it_sits()
    {
        var error = Assert.Throws<RouterError>(() =>
            CallFor("gemini-2.5-flash", """{"model":"g","messages":[{"role":"user","content":"Hi","name":"alice"}]}"""));

        Assert.Equal("messages[0].name", error.Body.Param);
    }
}
