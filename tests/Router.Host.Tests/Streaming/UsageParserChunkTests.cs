using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Tests.Streaming;

public sealed class UsageParserChunkTests
{
    private static UsageParser.ChunkFacts Inspect(string data) => UsageParser.InspectChunk(Encoding.UTF8.GetBytes(data));

    [Fact]
    public void A_plain_delta_chunk_means_nothing_to_the_router()
    {
        var facts = Inspect("""{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"}}]}""");

        Assert.Equal(default, facts);
    }

    [Fact]
    public void A_chunk_with_null_usage_has_no_usage()
    {
        var facts = Inspect("""{"id":"c1","choices":[{"index":0,"delta":{"content":"lo"}}],"usage":null}""");

        Assert.Null(facts.Usage);
        Assert.False(facts.IsUsageOnly);
        Assert.Null(facts.Error);
    }

    [Theory]
    [InlineData("""{"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4}}}""")]
    [InlineData("""{"id": "c1", "choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 5, "prompt_tokens_details": {"cached_tokens": 4}}}""")]
    public void The_usage_only_chunk_is_recognised(string data)
    {
        var facts = Inspect(data);

        Assert.Equal(new TokenUsage(12, 5, 4), facts.Usage);
        Assert.True(facts.IsUsageOnly);
        Assert.Null(facts.Error);
    }

    [Fact]
    public void OpenRouters_final_usage_chunk_carries_the_reported_cost()
    {
        var facts = Inspect("""{"id":"gen-1","provider":"OpenAI","model":"openai/gpt-4o-mini","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"cost":0.0000025500,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0}}}""");

        Assert.True(facts.IsUsageOnly);
        Assert.Equal(new TokenUsage(9, 2, 0) { ReportedCost = 0.00000255m }, facts.Usage);
    }

    [Fact]
    public void A_usage_chunk_without_a_cost_reports_none() =>
        Assert.Null(Inspect("""{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2}}""").Usage!.ReportedCost);

    [Fact]
    public void Usage_on_a_chunk_that_also_has_choices_is_not_usage_only()
    {
        var facts = Inspect("""{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}""");

        Assert.Equal(new TokenUsage(3, 1, 0), facts.Usage);
        Assert.False(facts.IsUsageOnly);
    }

    [Fact]
    public void An_error_chunk_carries_the_error()
    {
        var facts = Inspect("""{"error":{"message":"Rate limit reached","type":"rate_limit_error","code":429}}""");

        Assert.NotNull(facts.Error);
        Assert.Equal("Rate limit reached", facts.Error.Value.GetProperty("message").GetString());
        Assert.Null(facts.Usage);
    }

    [Fact]
    public void A_null_error_is_no_error()
    {
        var facts = Inspect("""{"choices":[],"error":null,"usage":{"prompt_tokens":1,"completion_tokens":1}}""");

        Assert.Null(facts.Error);
        Assert.True(facts.IsUsageOnly);
    }

    [Fact]
    public void Content_that_merely_mentions_error_is_not_an_error()
    {
        var facts = Inspect("""{"choices":[{"index":0,"delta":{"content":"the \"error\" field"}}]}""");

        Assert.Null(facts.Error);
        Assert.Null(facts.Usage);
    }

    [Fact]
    public void The_error_outlives_the_parsed_document()
    {
        var error = Inspect("""{"error":{"message":"boom"}}""").Error;

        Assert.Equal(JsonValueKind.Object, error?.ValueKind);
        Assert.Equal("boom", error?.GetProperty("message").GetString());
    }

    [Fact]
    public void A_chunk_that_is_not_JSON_means_nothing()
    {
        Assert.Equal(default, Inspect("""{"usage":{"prompt_tokens": oops"""));
    }
}
