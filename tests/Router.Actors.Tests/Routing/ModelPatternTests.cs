using Router.Actors.Routing;

namespace Router.Actors.Tests.Routing;

public sealed class ModelPatternTests
{
    [Theory]
    [InlineData("ollama/*", "ollama/llama3")]
    [InlineData("gpt-*", "gpt-4o-mini")]
    [InlineData("*", "anything/at-all")]
    [InlineData("gpt-4o", "gpt-4o")]
    public void Matches_names_covered_by_the_pattern_or_equal_to_the_name(string pattern, string model) =>
        Assert.True(ModelPattern.Matches(pattern, model));

    [Theory]
    [InlineData("ollama/*", "openai/gpt-4o")]
    [InlineData("gpt-*", "GPT-4o")]
    [InlineData("gpt-4o", "gpt-4o-mini")]
    [InlineData("gpt-4o", "GPT-4o")]
    public void Does_not_match_other_names_and_is_case_sensitive(string pattern, string model) =>
        Assert.False(ModelPattern.Matches(pattern, model));

    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("ollama/*")]
    [InlineData("*")]
    public void Validate_accepts_exact_names_and_a_single_trailing_star(string name) =>
        Assert.Null(ModelPattern.Validate(name));

    [Theory]
    [InlineData("a*b")]
    [InlineData("*b")]
    [InlineData("**")]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_explains_why_a_name_is_unusable(string name) =>
        Assert.False(string.IsNullOrWhiteSpace(ModelPattern.Validate(name)));
}
