using Router.Contracts.Configuration;

namespace Router.Host.Alerts;

/// <summary>
/// Registers alerting: the history (read back from the data directory) and its writer, the dispatcher, and the
/// sampler that feeds it (only when a target is configured).
/// </summary>
public static class AlertServices
{
    public static IServiceCollection AddRouterAlerts(this IServiceCollection services, RouterSettings settings)
    {
        var store = new AlertHistoryStore(Path.Combine(settings.DataDir, AlertHistoryStore.FileName));
        services.AddSingleton(store);
        services.AddSingleton(sp => new AlertHistory(settings.Alerts.History, Kept(store, settings.Alerts.History, sp.GetRequiredService<ILogger<AlertHistory>>())));
        // Before the dispatcher: hosted services stop in reverse order, so the writer takes the dispatcher's last updates.
        services.AddHostedService<AlertHistoryWriter>();
        services.AddSingleton<BudgetSampler>();
        services.AddSingleton(sp => new AlertDispatcher(settings.Alerts, sp.GetRequiredService<AlertHistory>(), TimeProvider.System,
            sp.GetRequiredService<ILogger<AlertDispatcher>>()));
        services.AddHostedService(sp => sp.GetRequiredService<AlertDispatcher>());
        // Without a target there is no one to tell; the page and /admin/alerts then show an empty list.
        if (settings.Alerts.Targets.Count > 0) services.AddHostedService<AlertSampler>();
        return services;
    }

    /// <summary>What the last run kept; a file that cannot be read costs the old history, never the start.</summary>
    private static IReadOnlyList<StoredAlert> Kept(AlertHistoryStore store, int count, ILogger logger)
    {
        try
        {
            return store.Load(count);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            logger.LogWarning("The alert history in {File} could not be read ({Error}); it starts empty", AlertHistoryStore.FileName, e.Message);
            return [];
        }
    }
}
