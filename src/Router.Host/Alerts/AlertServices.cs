using Router.Contracts.Configuration;

namespace Router.Host.Alerts;

/// <summary>Registers alerting: the history, the dispatcher, and the sampler that feeds it (only when a target is configured).</summary>
public static class AlertServices
{
    public static IServiceCollection AddRouterAlerts(this IServiceCollection services, RouterSettings settings)
    {
        services.AddSingleton(new AlertHistory(settings.Alerts.History));
        services.AddSingleton(sp => new AlertDispatcher(settings.Alerts, sp.GetRequiredService<AlertHistory>(), TimeProvider.System,
            sp.GetRequiredService<ILogger<AlertDispatcher>>()));
        services.AddHostedService(sp => sp.GetRequiredService<AlertDispatcher>());
        // Without a target there is no one to tell; the page and /admin/alerts then show an empty list.
        if (settings.Alerts.Targets.Count > 0) services.AddHostedService<AlertSampler>();
        return services;
    }
}
