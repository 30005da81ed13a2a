using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

public sealed class CacheSettingsTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("router-cache-config-").FullName;

    private CacheSettings Read(string hocon)
    {
        var path = Path.Combine(_dir, "router.conf");
        File.WriteAllText(path, hocon);
        return RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(path)).Cache;
    }

    [Fact]
    public void No_namespace_is_shared_unless_the_operator_says_so()
    {
        Assert.Empty(Read("router { }").SharedNamespaces);
        Assert.Equal(["default", "team"], Read("""router.cache.shared-namespaces = ["team", "default"]""").SharedNamespaces.Order());
    }

    [Theory]
    [InlineData("""router.cache.shared-namespaces = ["team a"]""", "'team a'")]
    [InlineData("""router.cache.shared-namespaces = [""]""", "''")]
    [InlineData("""router.cache.shared-namespaces = team""", "must be a list")]
    public void A_name_no_caller_could_send_is_refused(string hocon, string named)
    {
        var error = Assert.Throws<ConfigException>(() => Read(hocon));

        Assert.Contains("router.cache.shared-namespaces", error.Message);
        Assert.Contains(named, error.Message);
    }
}
