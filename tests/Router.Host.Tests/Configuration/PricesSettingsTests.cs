using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

public sealed class PricesSettingsTests
{
    private static RouterSettings Read(string hocon) => RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon));

    private static string ErrorOf(string hocon) => Assert.Throws<ConfigException>(() => Read(hocon)).Message;

    private static IReadOnlyDictionary<string, ModelPrice> Prices(string block) => Read($"router.prices {{ {block} }}").Prices;

    [Fact]
    public void Prices_are_read_by_quoted_model_name_exactly()
    {
        var prices = Prices("""
            "openrouter/meta-llama/llama-3.1-8b:free" { input-cost-per-token = 0, output-cost-per-token = 0 }
            "gpt-4.1" { input-cost-per-token = 0.000002, output-cost-per-token = 0.000008, cache-read-cost-per-token = 0.0000005 }
            "embed" { input-cost-per-token = 1.5e-07 }
            "claude" { input-cost-per-token = 0.000003, output-cost-per-token = 0.000015, cache-write-cost-per-token = 0.00000375 }
            """);

        Assert.Equal(4, prices.Count);
        Assert.Equal(new ModelPrice(0.000003m, 0.000015m, null, 0.00000375m), prices["claude"]);
        Assert.Equal(new ModelPrice(0, 0), prices["openrouter/meta-llama/llama-3.1-8b:free"]);
        Assert.Equal(new ModelPrice(0.000002m, 0.000008m, 0.0000005m), prices["gpt-4.1"]);
        Assert.Equal(new ModelPrice(0.00000015m, 0), prices["embed"]);
    }

    [Fact]
    public void Only_output_may_be_given()
    {
        Assert.Equal(new ModelPrice(0, 0.00001m), Prices("""m { output-cost-per-token = 0.00001 }""")["m"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("router.prices {}")]
    [InlineData("router.prices = []")]
    public void No_prices_is_an_empty_table(string hocon) =>
        Assert.Empty(Read($"router {{ http.urls = \"http://127.0.0.1:4000\" }}\n{hocon}").Prices);

    [Theory]
    [InlineData("input-cost-per-token")]
    [InlineData("output-cost-per-token")]
    [InlineData("cache-read-cost-per-token")]
    [InlineData("cache-write-cost-per-token")]
    public void A_negative_price_names_the_model_and_the_key(string key)
    {
        var message = ErrorOf($$"""router.prices { "gpt-4o" { input-cost-per-token = 0.1, output-cost-per-token = 0.1, {{key}} = -0.000001 } }""");

        Assert.Equal($"router.prices.\"gpt-4o\".{key} must not be negative", message);
    }

    [Fact]
    public void An_entry_without_input_or_output_names_the_model() =>
        Assert.Contains("router.prices.\"a/b:c\"", ErrorOf("""router.prices { "a/b:c" { cache-read-cost-per-token = 0.1 } }"""),
            StringComparison.Ordinal);

    [Theory]
    [InlineData("input-cost-per-token = cheap")]
    [InlineData("input-cost-per-token = [1]")]
    [InlineData("input-cost-per-token { usd = 1 }")]
    public void A_price_that_is_not_a_number_names_the_key(string field) =>
        Assert.Contains("router.prices.\"m\".input-cost-per-token", ErrorOf($$"""router.prices { "m" { {{field}} } }"""),
            StringComparison.Ordinal);

    [Fact]
    public void A_misspelt_key_names_itself() =>
        Assert.Contains("router.prices.\"m\".input-cost-per-tokens",
            ErrorOf("""router.prices { "m" { input-cost-per-tokens = 0.1 } }"""), StringComparison.Ordinal);

    [Theory]
    [InlineData("""router.prices { "m" = 0.1 }""")]
    [InlineData("""router.prices { "m" = "cheap" }""")]
    public void An_entry_that_is_not_an_object_names_the_model(string hocon) =>
        Assert.Contains("router.prices.\"m\"", ErrorOf(hocon), StringComparison.Ordinal);

    [Fact]
    public void Prices_that_are_not_an_object_are_refused() =>
        Assert.Contains("router.prices", ErrorOf("""router.prices = "none" """), StringComparison.Ordinal);
}

public sealed class ShippedPricesTests
{
    private static RouterSettings Layered(string user)
    {
        var shipped = ConfigurationFactory.ParseString(
            HoconEnvironment.Resolve(HoconConfigLoader.ReadEmbedded("router.conf"), _ => null));
        return RouterSettingsReader.Read(ConfigurationFactory.ParseString(user).WithFallback(shipped));
    }

    [Fact]
    public void The_shipped_config_sets_no_prices() => Assert.Empty(Layered("").Prices);

    [Fact]
    public void A_user_config_adds_prices_over_the_shipped_empty_block() =>
        Assert.Equal(new ModelPrice(0.000001m, 0.000002m),
            Layered("""router.prices { "ollama/qwen3:8b" { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 } }""")
                .Prices["ollama/qwen3:8b"]);
}
