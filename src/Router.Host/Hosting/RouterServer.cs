using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence.Sql;
using Router.Actors.Breakers;
using Router.Actors.KeyBudgets;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Host.Auth;
using Router.Host.Caching;
using Router.Host.Configuration;
using Router.Host.Dashboard;
using Router.Host.Http;
using Router.Host.Keys;
using Router.Host.Pricing;
using Router.Host.Providers;
using Router.Host.Proxy;
using Router.Host.RequestLog;
using Router.Host.Routing;
using Router.Host.Storage;

namespace Router.Host.Hosting;

/// <summary>Builds the serving process: Kestrel, the actor system, the providers and the endpoints.</summary>
public static class RouterServer
{
    public static WebApplication Build(RouterSettings settings)
    {
        Directory.CreateDirectory(settings.DataDir);
        var masterKey = MasterKeyStore.Resolve(settings.MasterKey, settings.DataDir);
        if (masterKey.GeneratedAt is { } path)
        {
            // Printed straight to the console once, never logged: logs are kept and shipped, consoles are not.
            Console.WriteLine($"No master key was configured. Generated one and stored it in {path} (mode 0600):");
            Console.WriteLine($"  {masterKey.Key}");
        }

        var routes = RouteTable.Build(settings.Models, settings.Providers.Where(p => p.IsUsable).Select(p => p.Name).ToHashSet(), settings.DefaultPolicy);
        var storage = new EmbeddedStorage(settings.DataDir);
        storage.Prepare();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { WebRootPath = DashboardSetup.WebRoot });
        builder.WebHost.UseUrls(settings.HttpUrls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes;
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.AddDashboard(settings);

        var services = builder.Services;
        var board = new DeploymentBoard();
        services.AddSingleton(settings);
        services.AddSingleton(board);
        services.AddSingleton(storage);
        services.AddSingleton(routes);
        var keyDirectory = new KeyDirectory(storage, TimeProvider.System);
        services.AddSingleton(keyDirectory);
        services.AddSingleton(new KeyAuthenticator(masterKey.Key, keyDirectory));
        services.AddSingleton<KeyStates>();
        services.AddSingleton<KeyAdmin>();
        services.AddSingleton(new ProviderClients(settings.Providers));
        services.AddSingleton<UpstreamForwarder>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(ModelCatalog.LoadShipped());
        services.AddSingleton(sp => new ContextWindows(sp.GetRequiredService<ModelCatalog>(), settings.Providers.ToDictionary(p => p.Name)));
        services.AddSingleton<DeploymentSelector>();
        services.AddSingleton(sp => new CostCalculator(sp.GetRequiredService<ModelCatalog>(), settings.Prices));
        services.AddSingleton(sp => new CostEstimator(sp.GetRequiredService<CostCalculator>(), settings.Providers.ToDictionary(p => p.Name),
            settings.EstimateCompletionTokens));
        services.AddSingleton(sp => new AttemptLoop(
            sp.GetRequiredService<RouteTable>(), sp.GetRequiredService<DeploymentSelector>(), sp.GetRequiredService<DeploymentBoard>(),
            sp.GetRequiredService<ContextWindows>(), sp.GetRequiredService<Admission>(), sp.GetRequiredService<UpstreamForwarder>(),
            sp.GetRequiredService<CostEstimator>(), settings.Retry, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var registry = sp.GetRequiredService<ActorRegistry>();
            return new Admission(registry.Get<KeyBudgetActor>(), registry.Get<ProviderBreakersActor>(), settings.AdmissionTimeout);
        });
        services.AddSingleton<IResponseCacheStore>(sp => settings.Cache.Redis is { } redis
            ? new RedisResponseCacheStore(redis, sp.GetRequiredService<ILogger<RedisResponseCacheStore>>(), TimeProvider.System)
            : new MemoryResponseCacheStore(settings.Cache.MaxBytes, TimeProvider.System));
        services.AddSingleton(sp => new ResponseCaching(sp.GetRequiredService<IResponseCacheStore>(), settings.Cache,
            sp.GetRequiredService<Admission>(), TimeProvider.System));
        services.AddSingleton(sp => new ProxyHandler(
            sp.GetRequiredService<KeyAuthenticator>(),
            sp.GetRequiredService<RouteTable>(),
            sp.GetRequiredService<AttemptLoop>(),
            settings.Cache.Enabled ? sp.GetRequiredService<ResponseCaching>() : null,
            settings.MaxRequestBodyBytes,
            sp.GetRequiredService<ILogger<ProxyHandler>>(),
            settings.RequestLog.Enabled ? sp.GetRequiredService<RequestLogWriter>() : null));
        services.AddSingleton(sp => new RequestLogWriter(storage, settings.RequestLog, TimeProvider.System,
            sp.GetRequiredService<ILogger<RequestLogWriter>>()));
        services.AddSingleton(new RequestLogQuery(storage));

        services.AddAkka("router", akka =>
        {
            var akkaConfig = storage.PersistenceConfig()
                .WithFallback(HoconConfigLoader.LoadAkkaDefaults())
                .WithFallback(SqlPersistence.DefaultConfiguration);
            akka.AddHocon(akkaConfig, HoconAddMode.Prepend)
                .WithStrictSerialization()
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithProviderBreakers(settings.Breaker, board)
                .WithLocalKeyBudgets();
        });
        services.AddHostedService<MasterKeyBudget>();
        // After MasterKeyBudget, so it stops before it: hosted services stop in reverse order, once Kestrel has drained.
        services.AddHostedService(sp => sp.GetRequiredService<RequestLogWriter>());
        services.AddSingleton<DiscoveredModels>();
        services.AddHostedService<OllamaDiscovery>();

        var app = builder.Build();
        // Made now, not on the first request: a Redis cache starts connecting while the router starts.
        app.Services.GetRequiredService<IResponseCacheStore>();
        // Statuses ASP.NET answers by itself with an empty body (404 unknown path, 405 wrong method) get the envelope too.
        app.UseStatusCodePages(async pages =>
        {
            var context = pages.HttpContext;
            var requestId = RequestIds.Assign(context);
            await ErrorWriter.WriteAsync(context, RouterError.FromStatus(context.Response.StatusCode, context.Request.Method, context.Request.Path), requestId);
        });
        MapEndpoints(app);
        StartupReport.Log(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Router"), settings, routes);
        return app;
    }

    private static void MapEndpoints(WebApplication app)
    {
        // Resolved on first use: its admission needs the actor system, which starts after the endpoints are mapped.
        var handler = new Lazy<ProxyHandler>(app.Services.GetRequiredService<ProxyHandler>);
        var proxy = () => handler.Value;
        app.MapPost("/v1/chat/completions", context => proxy().HandleAsync(context, ProxyOperation.ChatCompletions));
        app.MapPost("/v1/completions", context => proxy().HandleAsync(context, ProxyOperation.Completions));
        app.MapPost("/v1/embeddings", context => proxy().HandleAsync(context, ProxyOperation.Embeddings));
        app.MapGet("/v1/models", (HttpContext context, KeyAuthenticator authenticator, RouteTable routes, DiscoveredModels discovered, KeyStates keys) =>
            ModelsEndpoint.HandleAsync(context, authenticator, routes, discovered, keys));
        app.MapGet("/health/liveness", HealthEndpoints.Liveness);
        app.MapGet("/health/readiness", HealthEndpoints.ReadinessAsync);
        app.MapGet("/health/deployments", DeploymentHealthEndpoint.HandleAsync);
        app.MapPost("/cache/flush", CacheEndpoints.FlushAsync);
        KeyEndpoints.Map(app);
        SpendEndpoints.Map(app);
        app.MapDashboard();
    }
}
