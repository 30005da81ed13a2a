using System.Text;
using System.Text.Json;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Pricing;
using Router.Host.Routing;

namespace Router.Host.Tests.Pricing;

/// <summary>
/// A reservation is an upper bound of what a request can cost: every prompt token it sends, the longest completion it
/// can get, for every choice, at the dearest price of the deployments that may serve it. Prices here are round: $1 a
/// prompt token and $10 a completion token for "paid", so costs read as token counts.
/// </summary>
public sealed class CostEstimatorTests
{
    private const string KeyId = "key-estimates";
    private static readonly ProviderTimeouts Timeouts =
        new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(600));

    private static ProviderSettings Provider(string name, ProviderType type = ProviderType.OpenAiCompatible, int defaultMaxTokens = 4096) =>
        new(name, type, new Uri($"https://{name}.example.com/v1"), "k", false, new Dictionary<string, string>(), Timeouts, null, defaultMaxTokens);

    private static readonly ModelCatalog Catalog = ModelCatalog.Parse(new MemoryStream(Encoding.UTF8.GetBytes("""
        {
          "long-writer": { "input_cost_per_token": 1, "output_cost_per_token": 10, "max_output_tokens": 32000 },
          "cached": { "input_cost_per_token": 1, "output_cost_per_token": 10, "cache_creation_input_token_cost": 1.25 },
          "claude": { "input_cost_per_token": 1, "output_cost_per_token": 10, "max_output_tokens": 64000 },
          "dear": { "input_cost_per_token": 3, "output_cost_per_token": 5 }
        }
        """)));

    private static readonly Dictionary<string, ModelPrice> Prices = new() { ["paid"] = new ModelPrice(1, 10) };

    private static readonly ProviderSettings[] Providers =
        [Provider("cloud"), Provider("other"), Provider("claude-api", ProviderType.Anthropic, defaultMaxTokens: 2048)];

    private static readonly RouteTable Routes = RouteTable.Build(
    [
        new ModelEntry("paid", "cloud", null),
        new ModelEntry("long-writer", "cloud", null),
        new ModelEntry("cached", "cloud", null),
        new ModelEntry("claude", "claude-api", null),
        new ModelEntry("unknown", "cloud", null),
        // One model, two deployments: one priced (via router.prices, "paid"), one dearer on input, cheaper on output.
        new ModelEntry("mixed", "cloud", "paid"),
        new ModelEntry("mixed", "other", "dear"),
        new ModelEntry("half-priced", "cloud", "paid"),
        new ModelEntry("half-priced", "other", "unknown"),
    ], Providers.Select(p => p.Name).ToHashSet());

    private static readonly CostEstimator Estimator =
        new(new CostCalculator(Catalog, Prices), Providers.ToDictionary(p => p.Name), Catalog, defaultCompletionTokens: 1000);

    private static ReservationEstimate Estimate(string model, string body, ProxyOperation? operation = null) =>
        Estimator.Estimate(Request(model, body), KeyId, operation ?? ProxyOperation.ChatCompletions, Routes.Resolve(model)!);

    private static ProxyRequest Request(string model, string body) =>
        JsonSerializer.Deserialize($$"""{"model":"{{model}}",{{body}}}""", WireJsonContext.Wire.ProxyRequest)!;

    private static string Hello(string extra = "") => $$"""{{extra}}"messages":[{"role":"user","content":"hello"}]""";

    private static readonly int HelloTokens = Estimate("paid", Hello("\"max_tokens\":1,")).PromptTokens;

    [Fact]
    public void The_clients_limit_is_the_completion_and_the_cost_adds_both_parts()
    {
        var estimate = Estimate("paid", Hello("\"max_tokens\":50,"));

        Assert.Equal((50, 1, 10m), (estimate.CompletionTokens, estimate.Choices, estimate.CostPerCompletionToken));
        Assert.Equal(HelloTokens + 500m, estimate.Cost);
        Assert.Equal(HelloTokens + 50, estimate.Tokens);
        Assert.True(estimate.Priced);
    }

    [Fact]
    public void Max_completion_tokens_wins_over_max_tokens() =>
        Assert.Equal(70, Estimate("paid", Hello("\"max_tokens\":50,\"max_completion_tokens\":70,")).CompletionTokens);

    [Fact]
    public void Without_a_limit_the_completion_is_the_models_output_limit_in_the_price_table() =>
        Assert.Equal(32000, Estimate("long-writer", Hello()).CompletionTokens);

    [Fact]
    public void The_tokens_per_minute_count_the_clients_limit_or_the_configured_estimate_not_the_longest_completion()
    {
        Assert.Equal(HelloTokens + 1000, Estimate("long-writer", Hello()).Tokens);
        Assert.Equal(HelloTokens + 1000, Estimate("claude", Hello()).Tokens);
        Assert.Equal(HelloTokens + 3 * 50, Estimate("long-writer", Hello("\"max_tokens\":50,\"n\":3,")).Tokens);
    }

    [Fact]
    public void Without_a_limit_or_a_table_entry_the_completion_is_the_configured_estimate() =>
        Assert.Equal(1000, Estimate("paid", Hello()).CompletionTokens);

    [Fact]
    public void Without_a_limit_an_Anthropic_deployment_gets_what_the_router_sends_it() =>
        // The Anthropic dialect sends default-max-tokens when the client sets none; the table's 64,000 is never asked for.
        Assert.Equal(2048, Estimate("claude", Hello()).CompletionTokens);

    [Fact]
    public void Every_choice_is_a_completion()
    {
        var estimate = Estimate("paid", Hello("\"max_tokens\":50,\"n\":3,"));

        Assert.Equal(3, estimate.Choices);
        Assert.Equal(HelloTokens + 3 * 50 * 10m, estimate.Cost);
        Assert.Equal(HelloTokens + 150, estimate.Tokens);
    }

    [Fact]
    public void A_legacy_completion_is_billed_for_best_of_completions() =>
        Assert.Equal(5, Estimator.Estimate(Request("paid", "\"prompt\":\"once upon\",\"max_tokens\":10,\"best_of\":5,\"n\":2"), KeyId,
            ProxyOperation.Completions, Routes.Resolve("paid")!).Choices);

    [Fact]
    public void Tool_definitions_are_prompt_tokens()
    {
        const string tools = """
            "tools":[{"type":"function","function":{"name":"get_weather","description":"The weather in a city, today and for the week to come",
              "parameters":{"type":"object","properties":{"city":{"type":"string","description":"The city's name"}},"required":["city"]}}}],
            """;

        var withTools = Estimate("paid", Hello("\"max_tokens\":1," + tools)).PromptTokens;

        Assert.True(withTools > HelloTokens + 30, $"{withTools} prompt tokens with a tool, {HelloTokens} without");
    }

    [Fact]
    public void Tool_calls_and_their_results_in_the_conversation_are_prompt_tokens()
    {
        var arguments = new string('x', 400);
        var conversation = Estimate("paid", $$$"""
            "max_tokens":1,"messages":[{"role":"user","content":"hello"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":\"{{{arguments}}}\"}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"{{{arguments}}}"}]
            """).PromptTokens;

        Assert.True(conversation > HelloTokens + 2 * 40, $"{conversation} prompt tokens");
    }

    [Fact]
    public void Each_image_counts_for_the_most_any_provider_bills_for_one()
    {
        const string image = """{"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"high"}}""";
        var withImages = Estimate("paid", $$"""
            "max_tokens":1,"messages":[{"role":"user","content":[{"type":"text","text":"hello"},{{image}},{{image}}]}]
            """).PromptTokens;

        Assert.Equal(HelloTokens + 2 * PromptTokenBound.ImageTokens, withImages);
    }

    [Fact]
    public void A_response_format_schema_is_prompt_tokens() =>
        Assert.True(Estimate("paid", Hello("""
            "max_tokens":1,"response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object","properties":{"verdict":{"type":"string"}}}}},
            """)).PromptTokens > HelloTokens + 10);

    [Fact]
    public void A_prompt_with_a_cache_write_price_is_reserved_at_that_price()
    {
        var estimate = Estimate("cached", Hello("\"max_tokens\":10,"));

        Assert.Equal(estimate.PromptTokens * 1.25m, estimate.PromptCost);
    }

    [Fact]
    public void An_embedding_has_a_prompt_and_no_completion()
    {
        var estimate = Estimator.Estimate(Request("paid", "\"input\":[\"one\",\"two\"]"), KeyId, ProxyOperation.Embeddings, Routes.Resolve("paid")!);

        Assert.Equal((2, 0, 2m, 2), (estimate.PromptTokens, estimate.CompletionTokens, estimate.Cost, estimate.Tokens));
        Assert.Null(estimate.LowerableTo(16));
    }

    [Fact]
    public void Token_ids_count_one_each() =>
        Assert.Equal(4, Estimator.Estimate(Request("paid", "\"prompt\":[[1,2],[3,4]],\"max_tokens\":1"), KeyId, ProxyOperation.Completions,
            Routes.Resolve("paid")!).PromptTokens);

    [Fact]
    public void A_model_with_several_deployments_is_reserved_at_the_dearest_price_of_each_part()
    {
        var estimate = Estimate("mixed", Hello("\"max_tokens\":10,"));

        // Prompt at "dear"'s $3, completion at "paid"'s $10: whichever deployment serves, the cost is no more.
        Assert.Equal(estimate.PromptTokens * 3m + 100m, estimate.Cost);
    }

    [Fact]
    public void A_model_is_unpriced_when_any_deployment_that_may_serve_it_has_no_price()
    {
        Assert.False(Estimate("unknown", Hello()).Priced);
        Assert.Equal(0m, Estimate("unknown", Hello()).Cost);
        Assert.False(Estimate("half-priced", Hello()).Priced);
    }

    [Fact]
    public void The_completion_part_is_offered_for_lowering_down_to_the_minimum()
    {
        var limit = Estimate("paid", Hello("\"max_tokens\":50,\"n\":2,")).LowerableTo(16);

        Assert.Equal(new Router.Contracts.Messages.KeyBudget.CompletionLimit(50, 2, 10m, 16), limit);
        Assert.Null(Estimate("unknown", Hello("\"max_tokens\":50,")).LowerableTo(16));
    }

    [Fact]
    public void Any_limit_and_any_n_saturate_rather_than_overflow()
    {
        var estimate = Estimate("paid", Hello($"\"max_tokens\":{int.MaxValue},\"n\":128,"));

        Assert.Equal(int.MaxValue, estimate.Tokens);
        Assert.True(estimate.Cost > (decimal)int.MaxValue * 128 * 10);
    }
}
