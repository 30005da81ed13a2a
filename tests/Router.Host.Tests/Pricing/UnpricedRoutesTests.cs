using Akka.Configuration;
using Microsoft.Extensions.Logging;
using Router.Host.Configuration;
using Router.Host.Pricing;

namespace Router.Host.Tests.Pricing;

/// <summary>Which routes have no price, as the start-up (and reload) warning and <c>/health/deployments</c> say.</summary>
public sealed class UnpricedRoutesTests
{
    private static RoutingConfig Config(string extra = "") => RoutingConfig.Build(RouterSettingsReader.Read(ConfigurationFactory.ParseString($$"""
        router {
          providers {
            cloud { type = openai, api-base = "https://api.openai.com/v1", api-key = "k" }
            rented { type = openai-compatible, api-base = "https://gpu.example.com/v1" }
            lan { type = openai-compatible, api-base = "http://192.168.1.20:8000/v1" }
          }
          models = [
            { name = "gpt-4o-mini", provider = cloud }
            { name = "finetune", provider = rented, model = "acme/finetune-v2" }
            { name = "priced-finetune", provider = rented, model = "acme/finetune-v3" }
            { name = "mine", provider = lan, model = "qwen3:32b" }
            { name = "gpt-*", provider = cloud }
            { name = "rented/*", provider = rented }
            { name = "lan/*", provider = lan }
          ]
          prices { "priced-finetune" { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 } }
          {{extra}}
        }
        """)), ModelCatalog.LoadShipped());

    [Fact]
    public void Exact_routes_without_a_price_are_found_and_local_ones_and_patterns_are_not()
    {
        var unpriced = UnpricedRoutes.Find(Config());

        Assert.Equal(["rented:finetune"], unpriced.Select(d => d.Id));
    }

    [Fact]
    public void A_deployment_is_priced_by_its_model_and_a_pattern_by_its_provider_or_by_each_model_behind_it()
    {
        var config = Config();
        bool? Priced(string id, string? behind = null) => config.Costs.IsPriced(config.Routes.Deployments.Single(d => d.Id == id), behind);

        Assert.Equal((true, false, true, true), (Priced("cloud:gpt-4o-mini"), Priced("rented:finetune"), Priced("rented:priced-finetune"), Priced("lan:mine")));
        // A local provider's pattern is priced whatever it routes; a paid one's depends on the model.
        Assert.Equal((true, (bool?)null, (bool?)null), (Priced("lan:lan/*"), Priced("cloud:gpt-*"), Priced("rented:rented/*")));
        Assert.Equal((true, false), (Priced("cloud:gpt-*", "gpt-4o"), Priced("cloud:gpt-*", "gpt-made-up")));
    }

    [Fact]
    public void One_warning_names_every_unpriced_route_and_what_a_budget_does_with_it()
    {
        var refuse = new Captured();
        var free = new Captured();

        UnpricedRoutes.Warn(refuse, Config());
        UnpricedRoutes.Warn(free, Config("pricing.unpriced = free"));

        var line = Assert.Single(refuse.Lines);
        Assert.Equal((LogLevel.Warning,
            "Routed models without a price (finetune on rented:finetune): a key with a budget is refused them (400 model_not_priced) unless "
            + "router.pricing.unpriced = free; give them a price in router.prices"), line);
        Assert.Contains("they cost 0 for every key", Assert.Single(free.Lines).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_is_said_when_every_route_is_priced()
    {
        var log = new Captured();

        UnpricedRoutes.Warn(log, Config("prices { \"acme/finetune-v2\" { output-cost-per-token = 0.000001 } }"));

        Assert.Empty(log.Lines);
    }

    private sealed class Captured : ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
