using System.Globalization;
using Router.Host.Proxy;

namespace Router.Host.Tests.Proxy;

/// <summary>The money headers' text: exact to ten places, as the custom format it replaced wrote it.</summary>
public sealed class ChargeHeadersTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("0.000006", "0.000006")]
    [InlineData("0.0000060000", "0.000006")]
    [InlineData("999999.999994", "999999.999994")]
    [InlineData("12", "12")]
    [InlineData("12.50", "12.5")]
    [InlineData("0.00000000004", "0")]
    [InlineData("0.00000000005", "0.0000000001")]
    [InlineData("0.123456789049", "0.123456789")]
    [InlineData("0.12345678905", "0.1234567891")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("-1.25", "-1.25")]
    public void Dollars_are_written_to_ten_places_without_trailing_zeros(string usd, string expected) =>
        Assert.Equal(expected, ChargeHeaders.Format(decimal.Parse(usd, CultureInfo.InvariantCulture)));

    [Fact]
    public void The_text_is_what_the_custom_format_writes()
    {
        var random = new Random(24);
        for (var i = 0; i < 100_000; i++)
        {
            // Costs as the price table makes them: a few to many places, from fractions of a cent to thousands of dollars.
            var usd = new decimal(random.NextInt64(1, long.MaxValue)) / (decimal)Math.Pow(10, random.Next(0, 28));
            Assert.Equal(usd.ToString("0.##########", CultureInfo.InvariantCulture), ChargeHeaders.Format(usd));
        }
    }
}
