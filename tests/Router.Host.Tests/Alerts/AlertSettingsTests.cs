using System.Runtime.Versioning;
using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Alerts;

/// <summary><c>router.alerts</c>: targets read with their format and secret, thresholds checked, every mistake named by its setting.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class AlertSettingsTests
{
    private const string Secretish = "https://discord.example/api/webhooks/123/very-secret-token";

    private static RouterSettings Shipped(string user = "") =>
        RouterSettingsReader.Read(ConfigurationFactory.ParseString(user).WithFallback(ConfigurationFactory.ParseString(
            HoconEnvironment.Resolve(HoconConfigLoader.ReadEmbedded("router.conf"), _ => null))));

    private static string ErrorOf(string user) => Assert.Throws<ConfigException>(() => Shipped(user)).Message;

    [Fact]
    public void The_shipped_defaults_have_no_target_and_the_documented_thresholds()
    {
        var alerts = Shipped().Alerts;
        Assert.Empty(alerts.Targets);
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), 1000, 100, 200, 4, TimeSpan.FromSeconds(2)),
            (alerts.SampleInterval, alerts.HoldOff, alerts.ProviderFailingAfter, alerts.RequestLogBacklog, alerts.SettlementBacklog,
                alerts.History, alerts.Attempts, alerts.RetryDelay));
    }

    [Fact]
    public void Targets_of_every_format_are_read_with_their_events_and_no_unknown_key_warning()
    {
        var settings = Shipped("""
            router.alerts.targets = [
              { name = hook, url = "http://127.0.0.1:9/hook" }
              { name = phone, format = ntfy, url = "https://ntfy.sh/topic", token = tk_abc, events = [circuit-open, budget-100] }
              { name = gotify, format = gotify, url = "https://gotify.example", token = app-token }
              { name = chat, format = discord, url = "https://discord.example/api/webhooks/1/t" }
              { name = team, format = slack, url = "https://hooks.slack.example/services/T/B/X" }
            ]
            router.alerts.hold-off = 0s
            """);
        Assert.Empty(settings.Warnings);
        var targets = settings.Alerts.Targets;
        Assert.Equal([AlertFormat.Generic, AlertFormat.Ntfy, AlertFormat.Gotify, AlertFormat.Discord, AlertFormat.Slack], targets.Select(t => t.Format));
        Assert.Equal("tk_abc", targets[1].Token);
        Assert.True(targets[1].Wants(AlertEvents.CircuitOpen));
        Assert.False(targets[1].Wants(AlertEvents.CacheDown));
        Assert.True(targets[0].Wants(AlertEvents.CacheDown));
        Assert.Equal(TimeSpan.Zero, settings.Alerts.HoldOff);
    }

    [Fact]
    public void A_target_prints_without_its_url_or_token()
    {
        var target = Shipped($$"""router.alerts.targets = [{ name = chat, format = discord, url = "{{Secretish}}", token = t0ken }]""").Alerts.Targets[0];
        Assert.Equal("chat (discord)", target.ToString());
    }

    [Fact]
    public void The_token_can_come_from_a_file_readable_by_its_owner_only()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "file-token\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var target = Shipped($$"""router.alerts.targets = [{ name = g, format = gotify, url = "http://127.0.0.1:9", token-file = "{{file}}" }]""")
                .Alerts.Targets[0];
            Assert.Equal("file-token", target.Token);
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.OtherRead);
            var error = ErrorOf($$"""router.alerts.targets = [{ name = g, format = gotify, url = "http://127.0.0.1:9", token-file = "{{file}}" }]""");
            Assert.Contains("router.alerts.targets[g].token-file", error);
            Assert.DoesNotContain("file-token", error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("""[{ name = a, format = teams, url = "http://x.example" }]""", "router.alerts.targets[a].format 'teams' is not one of: generic, ntfy, gotify, discord, slack")]
    [InlineData("""[{ name = a, url = "ftp://x.example/" }]""", "router.alerts.targets[a].url is not an http:// or https:// URL")]
    [InlineData("""[{ name = a, url = "not a url" }]""", "router.alerts.targets[a].url is not an http:// or https:// URL")]
    [InlineData("""[{ name = a }]""", "router.alerts.targets[a].url is required")]
    [InlineData("""[{ url = "http://x.example" }]""", "router.alerts.targets[0].name is required")]
    [InlineData("""[{ name = a, format = gotify, url = "http://x.example" }]""", "router.alerts.targets[a].token (or token-file) is required")]
    [InlineData("""[{ name = a, url = "http://x.example", events = [budget-50] }]""", "router.alerts.targets[a].events: 'budget-50' is not one of")]
    [InlineData("""[{ name = a, url = "http://x.example", colour = red }]""", "router.alerts.targets[0].colour is not one of")]
    [InlineData("""[{ name = a, url = "http://x.example" }, { name = a, url = "http://y.example" }]""", "router.alerts.targets[1].name 'a' is used by another target")]
    [InlineData("""{ name = a }""", "router.alerts.targets must be a list")]
    public void A_bad_target_is_a_config_error_naming_the_setting(string targets, string expected) =>
        Assert.Contains(expected, ErrorOf("router.alerts.targets = " + targets));

    [Fact]
    public void A_bad_url_is_refused_without_repeating_it()
    {
        var error = ErrorOf("""router.alerts.targets = [{ name = a, url = "gopher://secret-token@x.example" }]""");
        Assert.DoesNotContain("secret-token", error);
    }

    [Theory]
    [InlineData("sample-interval = 0s", "router.alerts.sample-interval must be positive")]
    [InlineData("provider-failing-after = 0s", "router.alerts.provider-failing-after must be positive")]
    [InlineData("hold-off = -1s", "router.alerts.hold-off must be a duration such as 30s, 5m or 1h")]
    [InlineData("retry-delay = soon", "router.alerts.retry-delay must be a duration such as 30s, 5m or 1h")]
    [InlineData("attempts = 0", "router.alerts.attempts must be a whole number of at least 1")]
    [InlineData("request-log-backlog = 0", "router.alerts.request-log-backlog must be a whole number of at least 1")]
    public void A_bad_threshold_names_its_setting(string setting, string expected) =>
        Assert.Equal($"{expected}", ErrorOf("router.alerts." + setting));
}
