using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Host.Pricing;
using Router.Host.Providers;
using Router.Host.Routing;

namespace Router.Host.Configuration;

/// <summary>
/// The part of the configuration a reload replaces, built as one piece: the route table, the providers'
/// clients, the prices and context windows, the retry settings. A request takes the current one when it
/// starts and keeps it to its end, so it never sees half of an old table and half of a new one.
/// </summary>
public sealed class RoutingConfig
{
    private RoutingConfig(RouterSettings settings, ModelCatalog catalog, Func<ProviderSettings, HttpMessageHandler>? handlers)
    {
        Settings = settings;
        var providers = settings.Providers.ToDictionary(p => p.Name);
        Routes = RouteTable.Build(settings.Models, settings.Providers.Where(p => p.IsUsable).Select(p => p.Name).ToHashSet(), settings.DefaultPolicy);
        Providers = new ProviderClients(settings.Providers, handlers);
        Costs = new CostEstimator(new CostCalculator(catalog, settings.Prices), providers, catalog, settings.EstimateCompletionTokens);
        ContextWindows = new ContextWindows(catalog, providers);
    }

    public RouterSettings Settings { get; }
    public RouteTable Routes { get; }
    public ProviderClients Providers { get; }
    public CostEstimator Costs { get; }
    public ContextWindows ContextWindows { get; }
    public RetrySettings Retry => Settings.Retry;

    /// <param name="handlers">What each provider's client sends through; by default its pooled connections (in-process tests give fakes).</param>
    public static RoutingConfig Build(RouterSettings settings, ModelCatalog catalog, Func<ProviderSettings, HttpMessageHandler>? handlers = null) =>
        new(settings, catalog, handlers);
}
