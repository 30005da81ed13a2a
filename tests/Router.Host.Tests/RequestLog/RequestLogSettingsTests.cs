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
}
