using System.Text.Json.Nodes;
using Akka.Configuration;
using Router.Host.Admin;
using Router.Host.Configuration;

namespace Router.Host.Tests.Alerts;

/// <summary><c>router config show</c> lists the alert targets by name and format; their URLs and tokens are masked whole.</summary>
public sealed class AlertsConfigViewTests
{
    [Fact]
    public void Targets_show_their_name_format_and_events_with_url_and_token_masked()
    {
        var settings = RouterSettingsReader.Read(ConfigurationFactory.ParseString("""
            router.alerts.targets = [
              { name = chat, format = discord, url = "https://discord.example/api/webhooks/1/hook-h1dd3n" }
              { name = phone, format = ntfy, url = "https://ntfy.example/topic-h1dd3n", token = tk_token-h1dd3n, events = [storage-down, circuit-open] }
            ]
            """).WithFallback(HoconConfigLoader.LoadRouterConfig(null)));

        var view = ConfigView.Of(settings);
        var json = view.ToJsonString();

        Assert.DoesNotContain("h1dd3n", json, StringComparison.Ordinal);
        var targets = view["alerts"]!["targets"]!.AsArray();
        Assert.Equal(("chat", "discord", ConfigView.Mask, null), Row(targets[0]!));
        Assert.Equal(("phone", "ntfy", ConfigView.Mask, ConfigView.Mask), Row(targets[1]!));
        Assert.Equal(["circuit-open", "storage-down"], targets[1]!["events"]!.AsArray().Select(e => (string)e!));
        Assert.Equal("5s", (string?)view["alerts"]!["sample-interval"]);
    }

    private static (string?, string?, string?, string?) Row(JsonNode target) =>
        ((string?)target["name"], (string?)target["format"], (string?)target["url"], (string?)target["token"]);
}
