using System.Security.Cryptography.X509Certificates;
using Router.Contracts.Configuration;
using Router.Host.Cluster;
using Router.Host.Configuration;
using Router.Host.Storage;
using Router.Host.Tracing;

namespace Router.Host.Hosting;

/// <summary>What an operator needs to see once at start: where the router listens and what it can route.</summary>
public static class StartupReport
{
    public static void Log(ILogger logger, RouterSettings settings, RoutingConfig config, X509Certificate2? certificate = null)
    {
        var routes = config.Routes;
        foreach (var warning in settings.Warnings) logger.LogWarning("Configuration: {Warning}", warning);
        foreach (var provider in settings.Providers.Where(p => !p.IsUsable))
        {
            var names = settings.Models.Where(m => m.Provider == provider.Name).Select(m => m.Name).ToList();
            logger.LogWarning(
                "Provider '{Provider}' needs an api-key and has none: its routes ({Routes}) are off until one is set",
                provider.Name, names.Count == 0 ? "none" : string.Join(", ", names));
        }
        logger.LogInformation("Routing {Count} model entries over providers {Providers}",
            routes.Deployments.Count, string.Join(", ", routes.Deployments.Select(d => d.ProviderName).Distinct()));
        UnpricedRoutes.Warn(logger, config);
        logger.LogInformation("Data directory {DataDir}", settings.DataDir);
        MemoryReport.Log(logger, settings.Cache, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        logger.LogInformation("Storage: {Storage}", RouterStorage.Describe(settings));
        RemotingSecurityReport.Log(logger, settings.Cluster);
        if (certificate is not null)
        {
            logger.LogInformation("HTTPS (HTTP/1.1 and HTTP/2) with certificate {Certificate}", TlsCertificateFile.Describe(certificate));
            // Clients refuse an expired certificate; the router still starts, so the operator sees why they fail.
            if (certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow)
                logger.LogWarning("The HTTPS certificate {Path} expired on {Expired:yyyy-MM-dd}: clients will refuse it", settings.HttpTls, certificate.NotAfter);
        }
        if (settings.Tracing.Enabled) logger.LogInformation("Tracing: {Tracing}", TracingSetup.Describe(settings.Tracing));
    }
}
