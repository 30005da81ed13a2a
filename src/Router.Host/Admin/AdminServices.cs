namespace Router.Host.Admin;

public static class AdminServices
{
    /// <summary>The admin endpoint's services, and the log ring as one more logger provider (call after the providers are set).</summary>
    public static void AddRouterAdmin(this WebApplicationBuilder builder)
    {
        var ring = new LogRing();
        builder.Logging.AddProvider(ring);
        var services = builder.Services;
        services.AddSingleton(ring);
        services.AddSingleton<AdminNode>();
        services.AddSingleton<ClusterAdmin>();
        services.AddSingleton<ShardAdmin>();
        services.AddSingleton<BreakerAdmin>();
        services.AddSingleton<CacheAdmin>();
    }
}
