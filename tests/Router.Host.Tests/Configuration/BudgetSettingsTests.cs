using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

/// <summary><c>router.budgets.min-completion-tokens</c>: read, checked, and shipped with its default.</summary>
public sealed class BudgetSettingsTests
{
    private static RouterSettings Read(string hocon) => RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon));

    private static string ErrorOf(string hocon) => Assert.Throws<ConfigException>(() => Read(hocon)).Message;

    private static RouterSettings Shipped(string user = "") =>
        RouterSettingsReader.Read(ConfigurationFactory.ParseString(user).WithFallback(ConfigurationFactory.ParseString(
            HoconEnvironment.Resolve(HoconConfigLoader.ReadEmbedded("router.conf"), _ => null))));

    [Fact]
    public void The_shipped_default_lowers_down_to_16_tokens() => Assert.Equal(16, Shipped().BudgetMinCompletionTokens);

    [Fact]
    public void The_minimum_is_read() => Assert.Equal(1, Read("router.budgets.min-completion-tokens = 1").BudgetMinCompletionTokens);

    [Theory]
    [InlineData("0")]
    [InlineData("-16")]
    public void A_minimum_below_one_token_names_the_key(string value) =>
        Assert.Equal("router.budgets.min-completion-tokens must be a positive number", ErrorOf($"router.budgets.min-completion-tokens = {value}"));
}
