using System.Text;
using Router.Host.Pricing;

namespace Router.Host.Tests.Pricing;

public sealed class ModelCatalogTests
{
    private static readonly ModelCatalog Shipped = ModelCatalog.LoadShipped();

    private static ModelCatalog Parse(string json) => ModelCatalog.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void The_shipped_catalog_knows_gpt_4o_mini_under_its_bare_name() =>
        Assert.Equal(128000, Shipped.Find("openai", "gpt-4o-mini")?.MaxInputTokens);

    [Fact]
    public void The_shipped_catalog_knows_gemini_2_5_flash_under_the_gemini_prefix()
    {
        var facts = Shipped.Find("gemini", "gemini-2.5-flash");

        Assert.NotNull(facts);
        Assert.True(facts.MaxInputTokens >= 1_000_000);
    }

    [Fact]
    public void The_shipped_catalog_has_prices_for_gpt_4o_mini()
    {
        var facts = Shipped.Find("openai", "gpt-4o-mini");

        Assert.True(facts?.InputCostPerToken > 0);
        Assert.True(facts?.OutputCostPerToken > facts?.InputCostPerToken);
    }

    [Fact]
    public void A_models_output_limit_is_its_max_output_tokens_else_its_older_max_tokens()
    {
        var catalog = Parse("""
            {
              "new": { "max_output_tokens": 64000, "max_tokens": 1000000 },
              "old": { "max_tokens": 4096 },
              "none": { "input_cost_per_token": 1e-6 }
            }
            """);

        Assert.Equal((64000, 4096, (int?)null),
            (catalog.Find("x", "new")?.MaxOutputTokens, catalog.Find("x", "old")?.MaxOutputTokens, catalog.Find("x", "none")?.MaxOutputTokens));
        Assert.Equal(16384, Shipped.Find("openai", "gpt-4o-mini")?.MaxOutputTokens);
    }

    [Fact]
    public void The_cache_write_price_is_read_where_the_table_has_one()
    {
        var facts = Shipped.Find("anthropic", "claude-sonnet-4-20250514");

        Assert.Equal(0.00000375m, facts?.CacheWriteCostPerToken);
        Assert.True(facts?.CacheWriteCostPerToken > facts?.InputCostPerToken);
        Assert.Null(Shipped.Find("openai", "gpt-4o-mini")?.CacheWriteCostPerToken);
    }

    [Fact]
    public void A_models_mode_and_the_capabilities_the_table_marks_true_are_read_for_model_info()
    {
        var catalog = Parse("""
            { "m": { "mode": "embedding", "supports_vision": true, "supports_reasoning": false, "supports_prompt_caching": true, "supports_pdf_input": "yes" } }
            """);

        var facts = catalog.Find("x", "m");

        Assert.Equal("embedding", facts?.Mode);
        Assert.Equal(["supports_vision", "supports_prompt_caching"], facts?.Supports);
        Assert.Contains("supports_vision", Shipped.Find("anthropic", "claude-sonnet-4-20250514")?.Supports ?? []);
    }

    [Fact]
    public void An_unknown_model_is_not_found() =>
        Assert.Null(Shipped.Find("ollama", "llama-from-my-basement"));

    [Fact]
    public void The_prefixed_name_wins_over_the_bare_name()
    {
        var catalog = Parse("""{ "m": { "max_input_tokens": 1000 }, "p/m": { "max_input_tokens": 2000 } }""");

        Assert.Equal(2000, catalog.Find("p", "m")?.MaxInputTokens);
        Assert.Equal(1000, catalog.Find("q", "m")?.MaxInputTokens);
    }

    [Fact]
    public void Entries_that_are_not_objects_and_fields_that_are_not_numbers_are_skipped()
    {
        var catalog = Parse("""
            {
              "sample_spec": "see the docs",
              "m": { "max_input_tokens": "lots", "input_cost_per_token": 1e-6, "output_cost_per_token": null }
            }
            """);

        Assert.Null(catalog.Find("x", "sample_spec"));
        Assert.Equal(new ModelFacts(null, 0.000001m, null), catalog.Find("x", "m"));
    }
}
