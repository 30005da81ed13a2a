using Router.Contracts.Configuration;
using Xunit;

namespace Router.Contracts.Tests.Configuration;

/// <summary>A model's cache settings: by its exact name, else by the longest pattern ending in <c>*</c> that matches it.</summary>
public sealed class CacheSettingsTests
{
    private static CacheSettings With(params (string Name, ModelCacheSettings Settings)[] models) =>
        CacheSettings.Standard with { Models = models.ToDictionary(m => m.Name, m => m.Settings) };

    [Fact]
    public void A_model_without_settings_of_its_own_takes_the_caches()
    {
        var settings = With(("other/*", new ModelCacheSettings(false, TimeSpan.FromMinutes(1))));

        Assert.True(settings.EnabledFor("gpt-4.1"));
        Assert.Equal(CacheSettings.Standard.Ttl, settings.TtlFor("gpt-4.1"));
        Assert.True(CacheSettings.Standard.EnabledFor("gpt-4.1"));
    }

    [Fact]
    public void The_exact_name_comes_before_any_pattern()
    {
        var settings = With(("ollama/*", new ModelCacheSettings(false, null)), ("ollama/llama3", new ModelCacheSettings(true, TimeSpan.FromMinutes(5))));

        Assert.True(settings.EnabledFor("ollama/llama3"));
        Assert.Equal(TimeSpan.FromMinutes(5), settings.TtlFor("ollama/llama3"));
        Assert.False(settings.EnabledFor("ollama/qwen"));
    }

    [Fact]
    public void The_longest_matching_pattern_decides()
    {
        var settings = With(
            ("*", new ModelCacheSettings(null, TimeSpan.FromMinutes(1))),
            ("ollama/llama*", new ModelCacheSettings(null, TimeSpan.FromMinutes(3))),
            ("ollama/*", new ModelCacheSettings(false, TimeSpan.FromMinutes(2))));

        Assert.Equal(TimeSpan.FromMinutes(3), settings.TtlFor("ollama/llama3"));
        Assert.True(settings.EnabledFor("ollama/llama3")); // the longest pattern leaves it on
        Assert.Equal(TimeSpan.FromMinutes(2), settings.TtlFor("ollama/qwen"));
        Assert.False(settings.EnabledFor("ollama/qwen"));
        Assert.Equal(TimeSpan.FromMinutes(1), settings.TtlFor("gpt-4.1"));
        Assert.Equal(CacheSettings.Standard.Ttl, With(("ollama/*", new ModelCacheSettings(null, null))).TtlFor("ollama/qwen"));
    }

    [Fact]
    public void A_name_is_matched_as_written()
    {
        var settings = With(("Ollama/*", new ModelCacheSettings(false, null)), ("gpt", new ModelCacheSettings(false, null)));

        Assert.True(settings.EnabledFor("ollama/qwen"));
        Assert.True(settings.EnabledFor("gpt-4.1")); // a name without * is no prefix
    }
}
