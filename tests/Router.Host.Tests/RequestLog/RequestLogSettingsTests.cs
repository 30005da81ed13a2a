using Akka.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.RequestLog;

public sealed class RequestLogSettingsTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("router-reqlog-config-").FullName;

    private string UserFile(string hocon)
    {
        var path = Path.Combine(_dir, "router.conf");
        File.WriteAllText(path, hocon);
        return path;
    }

    [Fact]
    public void The_shipped_defaults_keep_30_days_and_write_every_second()
    {
        var settings = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(UserFile("router { }"))).RequestLog;
        Assert.Equal(TimeSpan.FromDays(30), settings.Retention);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.BatchInterval);
    }

    [Fact]
    public void An_operator_sets_retention_and_interval_and_nonsense_is_refused()
    {
        var settings = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(
            UserFile("router.request-log { retention = 7d, batch-interval = 250ms }"))).RequestLog;
        Assert.Equal(TimeSpan.FromDays(7), settings.Retention);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.BatchInterval);
        Assert.Equal(TimeSpan.FromSeconds(2),
            RouterSettingsReader.Read(ConfigurationFactory.ParseString("router.request-log.batch-interval = 2s")).RequestLog.BatchInterval);
        Assert.Throws<ConfigException>(() =>
            RouterSettingsReader.Read(ConfigurationFactory.ParseString("router.request-log.batch-interval = 0s")));
    }

    [Fact]
    public void Rollups_keep_minutes_7_days_and_hours_for_ever_by_default_and_an_operator_may_change_both()
    {
        var standard = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(UserFile("router { }"))).RequestLog.Rollups;
        Assert.Equal(TimeSpan.FromDays(7), standard.MinuteRetention);
        Assert.Equal(TimeSpan.Zero, standard.HourRetention);
        var set = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(
            UserFile("router.request-log.rollups { minute-retention = 2d, hour-retention = 365d }"))).RequestLog.Rollups;
        Assert.Equal((TimeSpan.FromDays(2), TimeSpan.FromDays(365)), (set.MinuteRetention, set.HourRetention));
        var tooShort = Assert.Throws<ConfigException>(() =>
            RouterSettingsReader.Read(ConfigurationFactory.ParseString("router.request-log.rollups.minute-retention = 10m")));
        Assert.Contains("minute-retention", tooShort.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigException>(() =>
            RouterSettingsReader.Read(ConfigurationFactory.ParseString("router.request-log.rollups.hour-retention = 1h")));
    }
}
