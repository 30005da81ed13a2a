using Akka.Configuration;
using Microsoft.Extensions.Logging;
using Router.Host.Configuration;
using Router.Host.Hosting;
using Router.Host.Pricing;
using Router.Host.Tests.Caching;

namespace Router.Host.Tests.Hosting;

public sealed class StartupReportTests
{
    [Fact]
    public void The_start_warns_once_of_each_key_with_no_effect()
    {
        var settings = RouterSettingsReader.Read(ConfigurationFactory.ParseString("""
            router.providers.openai.api_base = "https://example.com/v1"
            router.breaker.cooldwon = 5s
            """).WithFallback(HoconConfigLoader.LoadRouterConfig(null)));
        var routing = RoutingConfig.Build(settings, ModelCatalog.LoadShipped());
        var logger = new ListLogger<StartupReportTests>();

        StartupReport.Log(logger, settings, routing);
        routing.Providers.Dispose();

        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.StartsWith("Configuration: ", StringComparison.Ordinal))
            .Select(e => e.Message).ToList();
        Assert.Equal(
            [
                "Configuration: router.breaker.cooldwon is not a setting the router knows and has no effect; did you mean cooldown?",
                "Configuration: router.providers.openai.api_base is not a setting the router knows and has no effect; did you mean api-base?",
            ],
            warnings.Order(StringComparer.Ordinal));
    }
}
