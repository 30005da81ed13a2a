using System.Text;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Pricing;

namespace Router.Host.Tests.Pricing;

public sealed class CostCalculatorTests
{
    private static readonly ProviderTimeouts Timeouts =
        new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(600));

    private static readonly ModelCatalog Shipped = ModelCatalog.LoadShipped();

    private static ProviderSettings Provider(string name, ProviderType type, string apiBase = "https://api.example.com/v1", bool discover = false) =>
        new(name, type, new Uri(apiBase), "k", false, new Dictionary<string, string>(), Timeouts,
            discover ? new DiscoverySettings(TimeSpan.FromSeconds(30)) : null);

    private static readonly ProviderSettings OpenAi = Provider("openai", ProviderType.OpenAi, "https://api.openai.com/v1");
    private static readonly ProviderSettings Google = Provider("google", ProviderType.Gemini);
    private static readonly ProviderSettings OpenRouter = Provider("openrouter", ProviderType.OpenAiCompatible, "https://openrouter.ai/api/v1");
    private static readonly ProviderSettings Ollama = Provider("ollama", ProviderType.OpenAiCompatible, "http://127.0.0.1:11434/v1", discover: true);
    private static readonly ProviderSettings GpuBox = Provider("gpu", ProviderType.OpenAiCompatible, "http://gpu-box.lan:8000/v1");

    private static CostCalculator Calculator(Dictionary<string, ModelPrice>? overrides = null) => new(Shipped, overrides ?? []);

    [Fact]
    public void Gpt_4o_mini_is_priced_from_the_shipped_table()
    {
        var price = Calculator().PriceOf(OpenAi, "gpt-4o-mini", "gpt-4o-mini");

        Assert.Equal(new ModelPrice(0.00000015m, 0.0000006m, 0.000000075m), price);
    }

    [Fact]
    public void A_gemini_provider_finds_its_prices_under_the_gemini_prefix_whatever_its_name()
    {
        var price = Calculator().PriceOf(Google, "gemini-2.5-flash", "gemini-2.5-flash");

        Assert.Equal(new ModelPrice(0.0000003m, 0.0000025m, 0.00000003m), price);
    }

    [Fact]
    public void An_OpenRouter_model_is_priced_under_the_openrouter_prefix()
    {
        var price = Calculator().PriceOf(OpenRouter, "anthropic/claude-sonnet-4", "anthropic/claude-sonnet-4");

        Assert.Equal(new ModelPrice(0.000003m, 0.000015m, 0.0000003m, 0.00000375m), price);
    }

    [Fact]
    public void The_shipped_prices_are_exact_decimals() =>
        Assert.Equal(0.00000015m, Shipped.Find("openai", "gpt-4o-mini")?.InputCostPerToken);

    [Fact]
    public void An_override_by_requested_name_wins_over_the_upstream_name_and_the_table()
    {
        var calculator = Calculator(new()
        {
            ["fast"] = new ModelPrice(1, 2),
            ["gpt-4o-mini"] = new ModelPrice(3, 4),
        });

        Assert.Equal(new ModelPrice(1, 2), calculator.PriceOf(OpenAi, "fast", "gpt-4o-mini"));
    }

    [Fact]
    public void An_override_by_upstream_name_wins_over_the_table()
    {
        var calculator = Calculator(new() { ["gpt-4o-mini"] = new ModelPrice(3, 4) });

        Assert.Equal(new ModelPrice(3, 4), calculator.PriceOf(OpenAi, "fast", "gpt-4o-mini"));
    }

    [Fact]
    public void Override_names_are_matched_exactly() =>
        Assert.Equal(0.00000015m, Calculator(new() { ["GPT-4o-mini"] = new ModelPrice(3, 4) })
            .PriceOf(OpenAi, "gpt-4o-mini", "gpt-4o-mini")?.InputPerToken);

    [Fact]
    public void A_local_provider_is_free_even_for_a_model_the_table_prices()
    {
        Assert.Equal(ModelPrice.Free, Calculator().PriceOf(Ollama, "ollama/llama3.2", "llama3.2"));
        Assert.Equal(ModelPrice.Free, Calculator().PriceOf(GpuBox, "gpt-4o-mini", "gpt-4o-mini"));
    }

    [Fact]
    public void A_local_provider_is_priced_when_overridden()
    {
        var calculator = Calculator(new() { ["ollama/llama3.2"] = new ModelPrice(0.0000001m, 0.0000002m) });

        Assert.Equal(new ModelPrice(0.0000001m, 0.0000002m), calculator.PriceOf(Ollama, "ollama/llama3.2", "llama3.2"));
    }

    [Fact]
    public void An_unknown_model_has_no_price_and_costs_nothing()
    {
        var price = Calculator().PriceOf(OpenRouter, "my/finetune", "my/finetune");

        Assert.Null(price);
        Assert.Equal(0m, CostCalculator.Cost(price, new TokenUsage(1000, 1000, 0)));
        Assert.Equal(0m, CostCalculator.Estimate(price, 1000, 1000));
    }

    [Fact]
    public void A_table_entry_without_prices_is_no_price()
    {
        var catalog = ModelCatalog.Parse(new MemoryStream(Encoding.UTF8.GetBytes("""{ "m": { "max_input_tokens": 1000 } }""")));

        Assert.Null(new CostCalculator(catalog, new Dictionary<string, ModelPrice>()).PriceOf(OpenAi, "m", "m"));
    }

    [Fact]
    public void Cached_prompt_tokens_cost_the_cache_read_price()
    {
        var price = new ModelPrice(0.000003m, 0.000015m, 0.0000003m);

        // 800 uncached × 3e-6 + 200 cached × 3e-7 + 100 out × 1.5e-5 = 0.0024 + 0.00006 + 0.0015
        Assert.Equal(0.00396m, CostCalculator.Cost(price, new TokenUsage(1000, 100, 200)));
    }

    [Fact]
    public void Cached_prompt_tokens_cost_the_input_price_when_there_is_no_cache_read_price() =>
        Assert.Equal(0.0042m, CostCalculator.Cost(new ModelPrice(0.000003m, 0.000015m), new TokenUsage(1000, 80, 200)));

    [Fact]
    public void Prompt_tokens_written_to_a_prompt_cache_cost_the_cache_write_price()
    {
        var price = new ModelPrice(0.000003m, 0.000015m, 0.0000003m, 0.00000375m);

        // 600 plain × 3e-6 + 200 read × 3e-7 + 200 written × 3.75e-6 + 100 out × 1.5e-5
        Assert.Equal(0.0018m + 0.00006m + 0.00075m + 0.0015m, CostCalculator.Cost(price, new TokenUsage(1000, 100, 200, 200)));
        // Without a cache-write price they cost the input price.
        Assert.Equal(0.0024m + 0.00006m + 0.0015m, CostCalculator.Cost(price with { CacheWritePerToken = null }, new TokenUsage(1000, 100, 200, 200)));
    }

    [Fact]
    public void Claude_is_priced_with_its_cache_write_price_from_the_shipped_table() =>
        Assert.Equal(0.00000375m, Calculator().PriceOf(Provider("anthropic", ProviderType.Anthropic), "claude-sonnet-4", "claude-sonnet-4-20250514")
            ?.CacheWritePerToken);

    [Fact]
    public void Many_small_costs_add_up_to_exact_cents()
    {
        var price = Calculator().PriceOf(OpenAi, "gpt-4o-mini", "gpt-4o-mini");
        var total = Enumerable.Range(0, 100_000).Sum(_ => CostCalculator.Cost(price, new TokenUsage(1, 0, 0)));

        Assert.Equal(0.015m, total);
    }

    [Fact]
    public void The_reported_cost_wins_over_the_price()
    {
        var usage = new TokenUsage(1000, 100, 0) { ReportedCost = 0.0123m };

        Assert.Equal(0.0123m, CostCalculator.Cost(new ModelPrice(1, 1), usage));
        Assert.Equal(0.0123m, CostCalculator.Cost(null, usage));
        Assert.Equal(0m, CostCalculator.Cost(new ModelPrice(1, 1), new TokenUsage(1000, 100, 0) { ReportedCost = 0m }));
    }

    [Fact]
    public void An_estimate_prices_prompt_and_completion_without_cache()
    {
        var price = new ModelPrice(0.000003m, 0.000015m, 0.0000003m);

        Assert.Equal(0.003m + 0.0075m, CostCalculator.Estimate(price, 1000, 500));
    }

    [Fact]
    public void An_estimate_prices_the_prompt_at_the_cache_write_price_when_that_is_dearer()
    {
        var price = new ModelPrice(0.000003m, 0.000015m, 0.0000003m, 0.00000375m);

        Assert.Equal(0.00375m + 0.0075m, CostCalculator.Estimate(price, 1000, 500));
    }
}
