using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

public sealed class SettlementSettingsTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("router-settlement-config-").FullName;

    private SettlementSettings Read(string hocon)
    {
        var path = Path.Combine(_dir, "router.conf");
        File.WriteAllText(path, hocon);
        return RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(path)).Settlement;
    }

    [Fact]
    public void The_shipped_defaults_tell_without_waiting()
    {
        Assert.Equal(new SettlementSettings(false, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500)), Read("router { }"));
    }

    [Fact]
    public void An_operator_turns_confirmation_on_and_nonsense_is_refused()
    {
        Assert.Equal(new SettlementSettings(true, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200)),
            Read("router.settlement { confirm = true, timeout = 10s, retry-interval = 200ms }"));
        var zero = Assert.Throws<ConfigException>(() =>
            RouterSettingsReader.Read(ConfigurationFactory.ParseString("router.settlement.retry-interval = 0s")));
        Assert.Contains("router.settlement.retry-interval", zero.Message);
        Assert.Throws<ConfigException>(() => RouterSettingsReader.Read(ConfigurationFactory.ParseString("router.settlement.timeout = 0s")));
        var word = Assert.Throws<ConfigException>(() => Read("router.settlement.confirm = sometimes"));
        Assert.Contains("auto, true, false", word.Message);
    }

    [Fact]
    public void Auto_confirms_in_a_pair_and_an_explicit_choice_wins()
    {
        const string pair = """
            router.storage { provider = postgres, connection-string = "Host=db;Database=router;Username=r;Password=p" }
            router.cluster { enabled = true, hostname = "10.0.0.11", seed-nodes = ["10.0.0.11:4053", "10.0.0.12:4053"] }
            """;
        Assert.True(Read(pair).Confirm);
        Assert.False(Read(pair + "\nrouter.settlement.confirm = false").Confirm);
        Assert.True(Read("router.settlement.confirm = on").Confirm);
    }
}
