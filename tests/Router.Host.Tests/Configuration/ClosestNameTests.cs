using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

public sealed class ClosestNameTests
{
    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("api_base", "api-base", 1)]
    [InlineData("Api-Base", "api-base", 0)]
    [InlineData("", "ttl", 3)]
    [InlineData("retires", "retries", 2)]
    [InlineData("first-byte", "frist-byte", 2)]
    public void The_edit_distance_counts_insertions_deletions_and_substitutions(string a, string b, int expected)
    {
        Assert.Equal(expected, ClosestName.EditDistance(a, b));
        Assert.Equal(expected, ClosestName.EditDistance(b, a));
    }

    [Theory]
    [InlineData("api_base", "api-base")]
    [InlineData("apibase", "api-base")]
    [InlineData("api_key", "api-key")]
    [InlineData("defaultmaxtokens", "default-max-tokens")]
    [InlineData("Type", "type")]
    public void A_misspelt_provider_key_is_matched_to_the_one_meant(string given, string meant)
    {
        string[] keys = ["type", "api-base", "api-key", "key-required", "headers", "timeouts", "discover", "discover-interval", "default-max-tokens", "local"];

        Assert.Equal(meant, ClosestName.To(given, keys));
    }

    [Theory]
    [InlineData("colour")]
    [InlineData("x")]
    [InlineData("completely-unrelated-setting")]
    public void A_name_near_no_known_one_gets_no_suggestion(string given)
    {
        Assert.Null(ClosestName.To(given, ["type", "api-base", "api-key", "headers", "timeouts"]));
    }

    [Fact]
    public void Of_two_names_equally_near_the_same_is_named_every_time()
    {
        Assert.Equal("ab", ClosestName.To("aa", ["ba", "ab"]));
        Assert.Equal("ab", ClosestName.To("aa", ["ab", "ba"]));
    }

    [Fact]
    public void No_known_names_means_no_suggestion()
    {
        Assert.Null(ClosestName.To("api_base", []));
    }
}
