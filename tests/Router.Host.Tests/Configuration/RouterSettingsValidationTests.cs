using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

public sealed class RouterSettingsValidationTests
{
    private static RouterSettings Read(string hocon) => RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon));

    private static string ErrorOf(string hocon) => Assert.Throws<ConfigException>(() => Read(hocon)).Message;

    [Fact]
    public void A_stop_grace_past_an_hour_names_the_key()
    {
        Assert.Contains("router.stop-grace", ErrorOf("router.stop-grace = 2h"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_stop_grace_is_read_and_defaults_to_ten_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), Read("router.stop-grace = 3s").StopGrace);
        Assert.Equal(TimeSpan.FromSeconds(10), Read("router {}").StopGrace);
    }

    [Theory]
    [InlineData("azure")]
    [InlineData("OpenAI")]
    public void An_unknown_provider_type_names_the_key(string type)
    {
        var message = ErrorOf($$"""router.providers.foo { type = {{type}}, api-base = "http://x/v1" }""");

        Assert.Contains("router.providers.foo.type", message, StringComparison.Ordinal);
        Assert.Contains(type, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public void Discovery_is_refused_for_a_provider_that_is_not_an_Ollama(string type)
    {
        var message = ErrorOf($$"""router.providers.foo { type = {{type}}, api-base = "http://x/v1", discover = true }""");

        Assert.Contains("router.providers.foo.discover", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void A_default_max_tokens_that_is_not_positive_names_the_key(string value)
    {
        var message = ErrorOf($$"""router.providers.foo { type = anthropic, api-base = "http://x/v1", default-max-tokens = {{value}} }""");

        Assert.Contains("router.providers.foo.default-max-tokens", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Whether_a_provider_is_local_is_read_when_given_and_left_to_its_address_otherwise()
    {
        var providers = Read("""
            router.providers {
              tunnel { type = openai-compatible, api-base = "http://127.0.0.1:4001/v1", local = false }
              rented { type = openai-compatible, api-base = "https://gpu.example.com/v1", local = true }
              plain { type = openai-compatible, api-base = "http://127.0.0.1:8000/v1" }
            }
            """).Providers.ToDictionary(p => p.Name);

        Assert.Equal((false, true, (bool?)null), (providers["tunnel"].Local, providers["rented"].Local, providers["plain"].Local));
    }

    [Fact]
    public void A_local_that_is_not_true_or_false_names_the_key() =>
        Assert.StartsWith("router.providers.foo.local 'sometimes'",
            ErrorOf("""router.providers.foo { type = openai-compatible, api-base = "http://x/v1", local = sometimes }"""), StringComparison.Ordinal);

    [Fact]
    public void A_missing_provider_type_names_the_key() =>
        Assert.Contains("router.providers.foo.type", ErrorOf("""router.providers.foo { api-base = "http://x/v1" }"""), StringComparison.Ordinal);

    [Theory]
    [InlineData("ftp://files.example.com/v1")]
    [InlineData("not a url")]
    [InlineData("/v1")]
    public void An_api_base_that_is_not_http_names_the_key(string apiBase)
    {
        var message = ErrorOf($$"""router.providers.foo { type = openai-compatible, api-base = "{{apiBase}}" }""");

        Assert.Contains("router.providers.foo.api-base", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_api_base_names_the_key() =>
        Assert.Contains("router.providers.foo.api-base", ErrorOf("router.providers.foo { type = openai }"), StringComparison.Ordinal);

    [Fact]
    public void A_model_naming_an_undefined_provider_names_the_entry_and_the_provider()
    {
        var message = ErrorOf("""
            router {
              providers.ollama { type = openai-compatible, api-base = "http://127.0.0.1:11434/v1" }
              models = [ { name = "ollama/*", provider = ollama }, { name = "claude-*", provider = anthropic } ]
            }
            """);

        Assert.Contains("router.models", message, StringComparison.Ordinal);
        Assert.Contains("claude-*", message, StringComparison.Ordinal);
        Assert.Contains("anthropic", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_without_a_name_names_its_index() =>
        Assert.Contains("router.models[1].name", ErrorOf("""
            router {
              providers.p { type = openai-compatible, api-base = "http://x/v1" }
              models = [ { name = "a", provider = p }, { provider = p } ]
            }
            """), StringComparison.Ordinal);

    [Fact]
    public void A_model_without_a_provider_names_its_index() =>
        Assert.Contains("router.models[0].provider", ErrorOf("""router.models = [ { name = "a" } ]"""), StringComparison.Ordinal);

    [Fact]
    public void A_trailing_slash_of_api_base_is_dropped()
    {
        var settings = Read("""router.providers.p { type = openai-compatible, api-base = "http://host:8000/v1/" }""");

        Assert.Equal("http://host:8000/v1", Assert.Single(settings.Providers).ApiBase.ToString());
    }

    [Fact]
    public void Key_required_defaults_to_false_for_compatible_servers_and_true_for_the_clouds()
    {
        var settings = Read("""
            router.providers {
              a { type = openai, api-base = "https://api.openai.com/v1" }
              b { type = openai-compatible, api-base = "http://x/v1" }
              c { type = openai-compatible, api-base = "http://y/v1", key-required = true, api-key = "" }
              d { type = anthropic, api-base = "https://api.anthropic.com/v1" }
              e { type = gemini, api-base = "https://generativelanguage.googleapis.com/v1beta" }
            }
            """);

        Assert.Equal(
            [("a", true, false), ("b", false, true), ("c", true, false), ("d", true, false), ("e", true, false)],
            settings.Providers.OrderBy(p => p.Name).Select(p => (p.Name, p.KeyRequired, p.IsUsable)));
        Assert.Null(settings.Providers.Single(p => p.Name == "c").ApiKey);
    }

    [Fact]
    public void The_api_key_never_appears_in_a_providers_text()
    {
        var provider = Assert.Single(Read("""router.providers.p { type = openai, api-base = "https://x/v1", api-key = "sk-secret-123" }""").Providers);

        Assert.Equal("sk-secret-123", provider.ApiKey);
        Assert.DoesNotContain("sk-secret-123", provider.ToString(), StringComparison.Ordinal);
    }
}
