using Microsoft.AspNetCore.Http;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Translation;
using Router.Host.Translation.Anthropic;
using static Router.Host.Tests.Translation.Anthropic.AnthropicTestKit;

namespace Router.Host.Tests.Translation.Anthropic;

/// <summary>
/// reasoning_effort and a client's thinking object as Anthropic's extended thinking (shapes from Anthropic's
/// extended and adaptive thinking references; budgets are LiteLLM's).
/// </summary>
public sealed class AnthropicThinkingRequestTests
{
    internal static UpstreamCall BuildFor(string model, string requestJson, ProviderSettings? settings = null) =>
        new AnthropicDialect(settings ?? Settings()).BuildCall(
            ProxyOperation.ChatCompletions, Request(requestJson), new CallContext(model, false, new HeaderDictionary()));

    private const string Question = """[{"role":"user","content":"Are there an infinite number of prime numbers such that n mod 4 == 3?"}]""";

    private const string AnthropicQuestion =
        """[{"role":"user","content":[{"type":"text","text":"Are there an infinite number of prime numbers such that n mod 4 == 3?"}]}]""";

    [Fact]
    public void High_effort_under_a_client_limit_is_a_4096_token_budget_within_it()
    {
        var call = BuildFor("claude-sonnet-4-5", $$$"""{"model":"c","messages":{{{Question}}},"reasoning_effort":"high","max_completion_tokens":16000}""");

        AssertJson($$$"""
            {"model":"claude-sonnet-4-5","max_tokens":16000,"thinking":{"type":"enabled","budget_tokens":4096},"messages":{{{AnthropicQuestion}}}}
            """, call.Body);
    }

    [Fact]
    public void Without_a_client_limit_the_budget_comes_on_top_of_the_default_limit()
    {
        var call = BuildFor("claude-sonnet-4-5", $$$"""{"model":"c","messages":{{{Question}}},"reasoning_effort":"medium"}""");

        AssertJson($$$"""
            {"model":"claude-sonnet-4-5","max_tokens":6144,"thinking":{"type":"enabled","budget_tokens":2048},"messages":{{{AnthropicQuestion}}}}
            """, call.Body);
    }

    [Theory]
    [InlineData("minimal", 8000, 1024)]
    [InlineData("low", 1500, 1024)]
    [InlineData("high", 3000, 1500)] // half the limit stays for the answer
    [InlineData("high", 2000, 1024)] // never below Anthropic's floor
    public void The_budget_is_cut_to_leave_the_answer_room_and_never_falls_below_1024(string effort, int limit, int budget)
    {
        var call = BuildFor("claude-3-7-sonnet-20250219", $$$"""{"model":"c","messages":{{{Question}}},"reasoning_effort":"{{{effort}}}","max_tokens":{{{limit}}}}""");

        AssertJson($$$"""
            {"model":"claude-3-7-sonnet-20250219","max_tokens":{{{limit}}},"thinking":{"type":"enabled","budget_tokens":{{{budget}}}},"messages":{{{AnthropicQuestion}}}}
            """, call.Body);
    }

    [Fact]
    public void A_limit_with_no_room_for_the_smallest_budget_is_refused_naming_the_limit()
    {
        var error = Assert.Throws<RouterError>(() =>
            BuildFor("claude-sonnet-4-5", $$$"""{"model":"c","messages":{{{Question}}},"reasoning_effort":"low","max_completion_tokens":1024}"""));

        Assert.Equal(400, error.Status);
        Assert.Equal("max_completion_tokens", error.Body.Param);
    }

    [Theory]
    [InlineData("claude-opus-4-6", "high", "high")]
    [InlineData("claude-sonnet-4-6", "minimal", "low")]
    [InlineData("claude-opus-4-7", "medium", "medium")]
    public void Models_with_adaptive_thinking_get_it_with_the_effort_in_output_config(string model, string effort, string sent)
    {
        var call = BuildFor(model, $$$"""{"model":"c","messages":{{{Question}}},"reasoning_effort":"{{{effort}}}"}""");

        AssertJson($$$"""
            {"model":"{{{model}}}","max_tokens":4096,"thinking":{"type":"adaptive"},"output_config":{"effort":"{{{sent}}}"},"messages":{{{AnthropicQuestion}}}}
            """, call.Body);
    }

    [Fact]
    public void Effort_none_disables_thinking()
    {
        var call = BuildFor("claude-sonnet-4-5", $$$"""{"model":"c","messages":{{{Question}}},"reasoning_effort":"none"}""");

        AssertJson($$$"""
            {"model":"claude-sonnet-4-5","max_tokens":4096,"thinking":{"type":"disabled"},"messages":{{{AnthropicQuestion}}}}
            """, call.Body);
    }

    [Fact]
    public void A_clients_thinking_object_passes_as_it_is_with_room_for_its_budget()
    {
        var call = BuildFor("claude-sonnet-4-5", $$$"""{"model":"c","messages":{{{Question}}},"thinking":{"type":"enabled","budget_tokens":10000}}""");

        AssertJson($$$"""
            {"model":"claude-sonnet-4-5","max_tokens":14096,"thinking":{"type":"enabled","budget_tokens":10000},"messages":{{{AnthropicQuestion}}}}
            """, call.Body);
    }

    [Theory]
    [InlineData("""{"reasoning_effort":"extreme"}""", "reasoning_effort")]
    [InlineData("""{"reasoning_effort":3}""", "reasoning_effort")]
    [InlineData("""{"thinking":"on"}""", "thinking")]
    [InlineData("""{"thinking":{"type":"enabled","budget_tokens":2048},"reasoning_effort":"low"}""", "reasoning_effort")]
    public void Unreadable_or_conflicting_thinking_requests_are_refused_naming_the_field(string fields, string param)
    {
        var json = $$$"""{"model":"c","messages":{{{Question}}},{{{fields[1..^1]}}}}""";
        var error = Assert.Throws<RouterError>(() => BuildFor("claude-sonnet-4-5", json));

        Assert.Equal(param, error.Body.Param);
    }

    [Theory]
    [InlineData("""{"temperature":0.7}""", "temperature")]
    [InlineData("""{"top_k":40}""", "top_k")]
    [InlineData("""{"top_p":0.5}""", "top_p")]
    [InlineData("""{"tool_choice":"required","tools":[{"type":"function","function":{"name":"f"}}]}""", "tool_choice")]
    public void What_anthropic_forbids_while_claude_thinks_is_refused_naming_it(string fields, string param)
    {
        var json = $$$"""{"model":"c","messages":{{{Question}}},"reasoning_effort":"low",{{{fields[1..^1]}}}}""";
        var error = Assert.Throws<RouterError>(() => BuildFor("claude-sonnet-4-5", json));

        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_request_error", error.Body.Type);
        Assert.Equal(param, error.Body.Param);
    }

    [Fact]
    public void With_drop_params_what_thinking_forbids_is_dropped_and_reported()
    {
        var call = BuildFor("claude-sonnet-4-5",
            $$$"""{"model":"c","messages":{{{Question}}},"reasoning_effort":"low","temperature":0.2,"top_p":0.97,"top_k":5}""",
            Settings() with { DropParams = true });

        AssertJson($$$"""
            {"model":"claude-sonnet-4-5","max_tokens":5120,"thinking":{"type":"enabled","budget_tokens":1024},"top_p":0.97,"messages":{{{AnthropicQuestion}}}}
            """, call.Body);
        Assert.Equal(["temperature", "top_k"], call.DroppedParams);
    }
}
