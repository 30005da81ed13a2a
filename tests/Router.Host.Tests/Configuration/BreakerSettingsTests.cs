using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

public sealed class BreakerSettingsTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("router-breaker-config-").FullName;

    private BreakerSettings Read(string hocon)
    {
        var path = Path.Combine(_dir, "router.conf");
        File.WriteAllText(path, hocon);
        return RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(path)).Breaker;
    }

    [Fact]
    public void An_idle_breaker_stops_after_ten_minutes_unless_the_operator_says_otherwise()
    {
        Assert.Equal(TimeSpan.FromMinutes(10), Read("router { }").IdleAfter);
        Assert.Equal(TimeSpan.FromSeconds(2), Read("router.breaker.idle-after = 2s").IdleAfter);
        var error = Assert.Throws<ConfigException>(() => Read("router.breaker.idle-after = 0s"));
        Assert.Contains("router.breaker.idle-after", error.Message);
    }
}
