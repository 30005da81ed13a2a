using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

/// <summary>HoconConfigLoader with an operator's file (the loader reads the process environment for ${?NAME}).</summary>
public sealed class UserConfigLayeringTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("router-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string UserFile(string hocon)
    {
        var path = Path.Combine(_dir, "router.conf");
        File.WriteAllText(path, hocon);
        return path;
    }

    [Fact]
    public void A_user_file_changes_only_what_it_sets()
    {
        var defaults = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(UserFile("router { }")));

        var layered = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(UserFile("""
            router {
              breaker.cooldown = 10s
              providers.ollama.api-base = "http://gpu-box:11434/v1"
            }
            """)));

        Assert.Equal(TimeSpan.FromSeconds(10), layered.Breaker.Cooldown);
        Assert.Equal(defaults.Breaker.ConsecutiveFailuresToOpen, layered.Breaker.ConsecutiveFailuresToOpen);
        var ollama = layered.Providers.Single(p => p.Name == "ollama");
        Assert.Equal(new Uri("http://gpu-box:11434/v1"), ollama.ApiBase);
        var ollamaBefore = defaults.Providers.Single(p => p.Name == "ollama");
        Assert.Equal((ollamaBefore.Type, ollamaBefore.KeyRequired, ollamaBefore.Timeouts), (ollama.Type, ollama.KeyRequired, ollama.Timeouts));
        Assert.Equal(
            defaults.Providers.Where(p => p.Name != "ollama").Select(p => (p.Name, p.Type, p.ApiBase, p.KeyRequired, p.Timeouts)),
            layered.Providers.Where(p => p.Name != "ollama").Select(p => (p.Name, p.Type, p.ApiBase, p.KeyRequired, p.Timeouts)));
        Assert.Equal(defaults.Models, layered.Models);
        Assert.Equal(
            (defaults.HttpUrls, defaults.MaxRequestBodyBytes, defaults.AdmissionTimeout),
            (layered.HttpUrls, layered.MaxRequestBodyBytes, layered.AdmissionTimeout));
    }

    [Fact]
    public void A_user_file_can_add_a_provider_and_replace_the_model_list()
    {
        var settings = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(UserFile("""
            router {
              providers.vllm { type = openai-compatible, api-base = "http://10.0.0.5:8000/v1" }
              models = [
                { name = "local/*", provider = vllm }
              ]
            }
            """)));

        Assert.Contains(settings.Providers, p => p.Name == "vllm" && p.IsUsable);
        Assert.Contains(settings.Providers, p => p.Name == "ollama");
        // The shipped ollama provider discovers its models, so it keeps routing ollama/* by itself.
        Assert.Equal(
            [new Contracts.Configuration.ModelEntry("local/*", "vllm", null), new Contracts.Configuration.ModelEntry("ollama/*", "ollama", null)],
            settings.Models);
    }

    [Fact]
    public void A_provider_that_stops_discovering_stops_routing_what_the_list_leaves_out()
    {
        var settings = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(UserFile("""
            router {
              providers.ollama.discover = false
              models = [ { name = "gpt-*", provider = openai } ]
            }
            """)));

        Assert.Null(Assert.Single(settings.Providers, p => p.Name == "ollama").Discovery);
        Assert.Equal([new Contracts.Configuration.ModelEntry("gpt-*", "openai", null)], settings.Models);
    }

    [Fact]
    public void A_missing_user_file_is_a_config_error_naming_it()
    {
        var missing = Path.Combine(_dir, "nope.conf");

        var error = Assert.Throws<ConfigException>(() => HoconConfigLoader.LoadRouterConfig(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
