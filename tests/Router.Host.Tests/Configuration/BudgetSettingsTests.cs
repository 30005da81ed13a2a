using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

/// <summary><c>router.budgets.min-completion-tokens</c> and <c>router.pricing.unpriced</c>: read, checked, and shipped with their defaults.</summary>
public sealed class BudgetSettingsTests
{
    private static RouterSettings Read(string hocon) => RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon));

    private static string ErrorOf(string hocon) => Assert.Throws<ConfigException>(() => Read(hocon)).Message;

    private static RouterSettings Shipped(string user = "") =>
        RouterSettingsReader.Read(ConfigurationFactory.ParseString(user).WithFallback(ConfigurationFactory.ParseString(
            HoconEnvironment.Resolve(HoconConfigLoader.ReadEmbedded("router.conf"), _ => null))));

    [Fact]
    public void The_shipped_defaults_lower_down_to_16_tokens_and_refuse_unpriced_models_to_budgets() =>
        Assert.Equal((16, UnpricedModels.Refuse), (Shipped().BudgetMinCompletionTokens, Shipped().Unpriced));

    [Fact]
    public void Both_settings_are_read() =>
        Assert.Equal((1, UnpricedModels.Free),
            (Read("router.budgets.min-completion-tokens = 1").BudgetMinCompletionTokens, Shipped("router.pricing.unpriced = free").Unpriced));

    [Theory]
    [InlineData("0")]
    [InlineData("-16")]
    public void A_minimum_below_one_token_names_the_key(string value) =>
        Assert.Equal("router.budgets.min-completion-tokens must be a positive number", ErrorOf($"router.budgets.min-completion-tokens = {value}"));

    [Theory]
    [InlineData("allow")]
    [InlineData("Free")]
    [InlineData("zero")]
    public void An_unknown_unpriced_policy_names_the_key_and_the_choices(string value)
    {
        var message = ErrorOf($"router.pricing.unpriced = {value}");

        Assert.StartsWith($"router.pricing.unpriced '{value}' is not one of: refuse", message, StringComparison.Ordinal);
        Assert.Contains("free", message, StringComparison.Ordinal);
    }
}
