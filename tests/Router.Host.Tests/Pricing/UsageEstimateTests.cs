using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Pricing;
using Router.Host.Routing;

namespace Router.Host.Tests.Pricing;

/// <summary>What an answer used when the provider did not say: the prompt counted, the completion counted from what was sent.</summary>
public sealed class UsageEstimateTests
{
    private const string Prompt = "How many moons does Jupiter have?";

    private static UsageEstimate For(string prompt = Prompt) => new(JsonSerializer.Deserialize(
        $$"""{"model":"m","messages":[{"role":"user","content":"{{prompt}}"}]}""", WireJsonContext.Wire.ProxyRequest)!, "key-usage");

    private static int PromptTokens => 4 + TokenCounter.CountTokens(Prompt) + 3; // one message framed, and the reply primed

    private static byte[] Frame(string json) => Encoding.UTF8.GetBytes($"data: {json}\n\n");

    private static byte[] Content(string text) =>
        Frame($$"""{"choices":[{"index":0,"delta":{"content":{{JsonSerializer.Serialize(text)}}},"finish_reason":null}]}""");

    [Fact]
    public void A_stream_cut_before_usage_is_charged_for_its_prompt_and_what_was_relayed()
    {
        var estimate = For();
        estimate.Relayed(Content("Jupiter has"));
        estimate.Relayed(Encoding.UTF8.GetBytes(": keep-alive\n\n"));
        estimate.Relayed(Content(" ninety-five moons."));

        var usage = estimate.OfEndedStream(reported: null);

        Assert.True(usage.Estimated);
        Assert.Equal(PromptTokens, usage.PromptTokens);
        Assert.Equal(TokenCounter.CountTokens("Jupiter has ninety-five moons."), usage.CompletionTokens);
    }

    [Fact]
    public void Reasoning_tool_calls_and_legacy_text_count_as_completion()
    {
        var estimate = For();
        estimate.Relayed(Frame("""{"choices":[{"index":0,"delta":{"reasoning_content":"Count the Galilean ones first."}}]}"""));
        estimate.Relayed(Frame("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"lookup","arguments":"{\"q\":"}}]}}]}"""));
        estimate.Relayed(Frame("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"moons\"}"}}]}}]}"""));
        estimate.Relayed(Frame("""{"choices":[{"index":0,"text":" and more"}]}"""));

        var usage = estimate.OfEndedStream(reported: null);

        Assert.Equal(TokenCounter.CountTokens("Count the Galilean ones first.lookup{\"q\":\"moons\"} and more"), usage.CompletionTokens);
    }

    [Fact]
    public void Usage_the_provider_reported_stands_where_it_covers_what_was_relayed()
    {
        var estimate = For();
        estimate.Relayed(Content("Ninety-five."));
        var reported = new TokenUsage(20, 40, 5);

        Assert.Same(reported, estimate.OfEndedStream(reported));
        Assert.Same(reported, estimate.OfFinishedStream(reported));
    }

    [Fact]
    public void A_start_of_message_count_below_what_was_relayed_keeps_the_provider_s_prompt_and_counts_the_completion()
    {
        var estimate = For();
        estimate.Relayed(Content("Jupiter has ninety-five known moons, and more are found every year."));
        // Anthropic's message_start: the prompt's tokens (with its cache reads), and one output token so far.
        var started = new TokenUsage(30, 1, 12, CacheWriteTokens: 3);

        var usage = estimate.OfEndedStream(started);

        Assert.True(usage.Estimated);
        Assert.Equal((30, 12, 3), (usage.PromptTokens, usage.CachedPromptTokens, usage.CacheWriteTokens));
        Assert.Equal(TokenCounter.CountTokens("Jupiter has ninety-five known moons, and more are found every year."), usage.CompletionTokens);
    }

    [Fact]
    public void A_finished_answer_without_usage_is_counted_from_its_body()
    {
        var body = """{"choices":[{"index":0,"message":{"role":"assistant","content":"Ninety-five.","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}}]}"""u8;

        var usage = For().OfAnswer(reported: null, body);

        Assert.True(usage.Estimated);
        Assert.Equal((PromptTokens, TokenCounter.CountTokens("Ninety-five.f{}")), (usage.PromptTokens, usage.CompletionTokens));
        Assert.False(For().OfAnswer(new TokenUsage(1, 2, 0), body).Estimated);
    }

    [Fact]
    public void An_answer_abandoned_before_it_arrived_is_charged_for_its_prompt()
    {
        var usage = For().OfAbandonedAnswer();

        Assert.True(usage.Estimated);
        Assert.Equal((PromptTokens, 0), (usage.PromptTokens, usage.CompletionTokens));
    }
}
