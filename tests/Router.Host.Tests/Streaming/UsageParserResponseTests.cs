using System.Text;
using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Tests.Streaming;

/// <summary>The usage of a complete answer, read from its top level only, or none when the answer holds no usable one.</summary>
public sealed class UsageParserResponseTests
{
    private static TokenUsage? FromResponse(string json) => UsageParser.FromResponse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Usage_of_a_full_response_includes_cached_prompt_tokens()
    {
        var usage = FromResponse("""
            {
              "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi, usage is \"usage\""}, "finish_reason": "stop"}],
              "usage": {
                "prompt_tokens": 1200, "completion_tokens": 34, "total_tokens": 1234,
                "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0}
              }
            }
            """);

        Assert.Equal(new TokenUsage(1200, 34, 1024), usage);
    }

    [Fact]
    public void Usage_without_details_has_no_cached_tokens()
    {
        Assert.Equal(new TokenUsage(10, 2, 0), FromResponse("""{"usage":{"prompt_tokens":10,"completion_tokens":2}}"""));
    }

    [Fact]
    public void Embeddings_usage_has_prompt_tokens_only()
    {
        Assert.Equal(new TokenUsage(8, 0, 0), FromResponse("""{"object":"list","data":[],"usage":{"prompt_tokens":8,"total_tokens":8}}"""));
    }

    [Fact]
    public void OpenRouters_reported_cost_is_read_exactly()
    {
        var usage = FromResponse("""
            {
              "id": "gen-1", "provider": "Anthropic", "model": "anthropic/claude-sonnet-4",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
              "usage": {
                "prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15, "cost": 0.0000810,
                "is_byok": false, "prompt_tokens_details": {"cached_tokens": 0}, "cost_details": {"upstream_inference_cost": null}
              }
            }
            """);

        Assert.Equal(new TokenUsage(12, 3, 0) { ReportedCost = 0.000081m }, usage);
        Assert.Equal(0.000081m, usage!.ReportedCost);
    }

    [Theory]
    [InlineData("""{"usage":{"prompt_tokens":1,"completion_tokens":1}}""")]
    [InlineData("""{"usage":{"prompt_tokens":1,"completion_tokens":1,"cost":null}}""")]
    [InlineData("""{"usage":{"prompt_tokens":1,"completion_tokens":1,"cost":"0.01"}}""")]
    [InlineData("""{"usage":{"prompt_tokens":1,"completion_tokens":1,"cost":-1}}""")]
    public void A_cost_that_is_not_a_number_is_not_reported(string body) => Assert.Null(FromResponse(body)!.ReportedCost);

    [Fact]
    public void A_cost_in_exponent_form_is_read() =>
        Assert.Equal(0.0000015m, FromResponse("""{"usage":{"prompt_tokens":1,"completion_tokens":1,"cost":1.5e-6}}""")!.ReportedCost);

    [Theory]
    [InlineData("""{"id":"x","choices":[]}""")]
    [InlineData("""{"usage":null}""")]
    [InlineData("""{"usage":"n/a"}""")]
    [InlineData("""[{"usage":{"prompt_tokens":1}}]""")]
    [InlineData("""{"usage":{"prompt_tokens":1""")]
    [InlineData("not json \"usage\"")]
    [InlineData("""{"choices":[{"usage":{"prompt_tokens":1,"completion_tokens":1}}]}""")]
    [InlineData("""{"usage":{"prompt_tokens":1,"completion_tokens":1},"choices":[""")]
    public void No_usable_usage_gives_null(string body) => Assert.Null(FromResponse(body));

    [Fact]
    public void The_last_usage_of_the_response_counts_as_in_a_parsed_document() =>
        Assert.Equal(new TokenUsage(2, 3, 0),
            FromResponse("""{"usage":{"prompt_tokens":1,"completion_tokens":1},"choices":[{"usage":{"prompt_tokens":9}}],"usage":{"prompt_tokens":2,"completion_tokens":3}}"""));
}
