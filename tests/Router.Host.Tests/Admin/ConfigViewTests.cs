using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Admin;
using Router.Host.Configuration;

namespace Router.Host.Tests.Admin;

/// <summary><c>router config show</c>: the settings in force under their HOCON names, with no secret in them.</summary>
public sealed class ConfigViewTests
{
    private const string Password = "pg-secret-7d1f";
    private const string ApiKey = "sk-provider-key-9a8b7c";
    private const string MasterKey = "sk-master-key-0e1d2c-7e3c9a1f5b2d8e4";

    /// <summary>The shipped defaults under a file that sets a secret everywhere one can go.</summary>
    private static RouterSettings Settings() => RouterSettingsReader.Read(ConfigurationFactory.ParseString($$"""
            router {
              master-key = "{{MasterKey}}"
              storage { provider = postgres, connection-string = "Host=db;Database=router;Username=router;Password={{Password}}" }
              cache.redis = "cache:6379,password={{Password}},ssl=false"
              tracing.otlp-endpoint = "https://collector:{{Password}}@otel.example:4318"
              providers {
                upstream {
                  type = openai-compatible
                  api-base = "https://user:{{Password}}@llm.example/v1"
                  api-key = "{{ApiKey}}"
                  headers { "X-Title" = "homelab", "X-Api-Token" = "{{Password}}" }
                }
              }
              models = [ { name = "m", provider = upstream, model = "up-m", weight = 3 } ]
            }
            """).WithFallback(HoconConfigLoader.LoadRouterConfig(null)));

    [Fact]
    public void No_secret_appears_anywhere_in_the_view()
    {
        var json = ConfigView.Of(Settings()).ToJsonString();

        Assert.DoesNotContain(Password, json, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, json, StringComparison.Ordinal);
        Assert.DoesNotContain(MasterKey, json, StringComparison.Ordinal);
    }

    [Fact]
    public void Masked_values_still_show_that_they_are_set_and_the_rest_of_their_setting()
    {
        var view = ConfigView.Of(Settings());

        Assert.Equal(ConfigView.Mask, view["master-key"]!.GetValue<string>());
        Assert.Equal(ConfigView.Mask, view["providers"]!["upstream"]!["api-key"]!.GetValue<string>());
        Assert.Null(view["providers"]!["openai"]!["api-key"]); // not set: shown as not set
        Assert.Equal("homelab", view["providers"]!["upstream"]!["headers"]!["X-Title"]!.GetValue<string>());
        Assert.Equal(ConfigView.Mask, view["providers"]!["upstream"]!["headers"]!["X-Api-Token"]!.GetValue<string>());
        var connection = view["storage"]!["connection-string"]!.GetValue<string>();
        Assert.Contains("Host=db", connection, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(ConfigView.Mask, connection, StringComparison.Ordinal);
        Assert.Equal($"cache:6379,password={ConfigView.Mask},ssl=false", view["cache"]!["redis"]!.GetValue<string>());
        Assert.StartsWith("https://", view["providers"]!["upstream"]!["api-base"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("llm.example/v1", view["providers"]!["upstream"]!["api-base"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_are_shown_under_their_hocon_names()
    {
        var view = ConfigView.Of(Settings());

        Assert.Equal("postgres", view["storage"]!["provider"]!.GetValue<string>());
        Assert.Equal("30s", view["breaker"]!["cooldown"]!.GetValue<string>());
        var model = view["models"]!.AsArray().Single(m => m!["name"]!.GetValue<string>() == "m")!;
        Assert.Equal(("upstream", "up-m", 3), (model["provider"]!.GetValue<string>(), model["model"]!.GetValue<string>(), model["weight"]!.GetValue<int>()));
    }

    [Fact]
    public void A_connection_string_that_cannot_be_read_is_masked_whole()
    {
        Assert.Equal(ConfigView.Mask, ConfigView.ConnectionString("Password='unterminated"));
    }
}
