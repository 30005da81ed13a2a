using Akka.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Router.Actors.Breakers;
using Router.Actors.KeyBudgets;
using Router.Actors.Routing;
using Router.Actors.Serialization;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Admin;
using Router.Host.Alerts;
using Router.Host.Auth;
using Router.Host.Caching;
using Router.Host.Cluster;
using Router.Host.Configuration;
using Router.Host.Dashboard;
using Router.Host.Health;
using Router.Host.Http;
using Router.Host.Ingress;
using Router.Host.Ingress.Anthropic;
using Router.Host.Ingress.Responses;
using Router.Host.Keys;
using Router.Host.Lifetime;
using Router.Host.Memory;
using Router.Host.Metrics;
using Router.Host.Pricing;
using Router.Host.Providers;
using Router.Host.Proxy;
using Router.Host.RequestLog;
using Router.Host.Storage;
using Router.Host.Tracing;

namespace Router.Host.Hosting;

/// <summary>Builds the serving process: Kestrel, the actor system, the providers and the endpoints.</summary>
public static class RouterServer
{
    /// <param name="reread">Reads the configuration again as it was read at start, for reloads; without it the configuration is fixed.</param>
    public static WebApplication Build(RouterSettings settings, Func<RouterSettings>? reread = null)
    {
        Directory.CreateDirectory(settings.DataDir);
        var masterKey = MasterKeyStore.Resolve(settings.MasterKey, settings.DataDir);
        if (masterKey.GeneratedAt is { } path) MasterKeyNotice.Print(path, masterKey.Key);

        var storage = RouterStorage.Create(settings);
        storage.Prepare();

        // Read before anything listens, so a bad certificate stops the start with its setting's name.
        var certificate = settings.HttpTls is { } tls ? TlsCertificateFile.Load(tls) : null;
        var intermediates = certificate is null ? null : TlsCertificateFile.Intermediates(settings.HttpTls!, certificate);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // The router's settings are HOCON, not appsettings.json: its content root is its own directory, not wherever it was
            // started, and no file there is watched. The default watched every directory under the working directory for a
            // change to appsettings.json, and woke for each write below it: the request log's, with ./data as the data directory.
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = DashboardSetup.WebRoot,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.WebHost.UseUrls(settings.HttpUrls);
        // The slim builder leaves https:// addresses unsupported until asked.
        if (certificate is not null) builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes;
            if (certificate is null) return;
            kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = certificate;
                // Without them a client that trusts only the root CA cannot build the chain of a CA-issued certificate.
                if (intermediates!.Count > 0) https.ServerCertificateChain = intermediates;
            });
            // ALPN offers h2 and http/1.1; a client that speaks HTTP/2 gets it.
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // ASP.NET starts an Activity and a log scope for every request whenever this category is enabled at any level,
        // for log lines it writes only at Information and Debug: off, a request costs neither.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.AddDashboard(settings);
        builder.AddRouterAdmin();

        var services = builder.Services;
        var board = new DeploymentBoard();
        services.AddSingleton(settings);
        services.AddSingleton(board);
        services.AddSingleton(storage);
        var catalog = ModelCatalog.LoadShipped();
        services.AddSingleton(catalog);
        services.AddSingleton(sp => new LiveConfig(settings, reread ?? (() => settings), catalog, TimeProvider.System,
            sp.GetRequiredService<ILogger<LiveConfig>>()));
        // Endpoints that list routes see the table in force when they answer.
        services.AddTransient(sp => sp.GetRequiredService<LiveConfig>().Current.Routes);
        services.AddSingleton(sp => new KeyDirectory(storage, TimeProvider.System, KeyIndexFile.InDataDir(settings.DataDir),
            sp.GetRequiredService<ILogger<KeyDirectory>>()));
        services.AddHostedService<KeyDirectoryRefresh>();
        services.AddSingleton(sp => new KeyAuthenticator(masterKey.Key, sp.GetRequiredService<KeyDirectory>()));
        services.AddSingleton(KeyActorAsks.For(settings));
        services.AddSingleton<KeyStates>();
        services.AddSingleton<ChargedKeys>();
        services.AddSingleton<KeyAdmin>();
        services.AddSingleton<UpstreamForwarder>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ResponseStore(storage, TimeProvider.System, settings.ResponsesRetention, sp.GetRequiredService<ILogger<ResponseStore>>()));
        services.AddSingleton<DeploymentSelector>();
        services.AddSingleton<AttemptLoop>();
        var nodeLeft = new NodeLeft(settings.Cluster.Enabled);
        services.AddSingleton(sp => new Admission(sp.GetRequiredService<IRequiredActor<KeyBudgetActor>>(),
            sp.GetRequiredService<IRequiredActor<ProviderBreakersActor>>(), board, settings.AdmissionTimeout, sp.GetRequiredService<KeyActorAsks>(),
            nodeLeft.Token, sp.GetRequiredService<ChargedKeys>()));
        services.AddSingleton<IResponseCacheStore>(sp => settings.Cache.Redis is not null
            ? RedisResponseCacheStore.Connect(settings.Cache, settings.DataDir, sp.GetRequiredService<ILogger<RedisResponseCacheStore>>(), TimeProvider.System)
            : new MemoryResponseCacheStore(settings.Cache.MaxBytes, TimeProvider.System));
        services.AddSingleton(sp => new ResponseCaching(sp.GetRequiredService<IResponseCacheStore>(), settings.Cache,
            sp.GetRequiredService<Admission>(), TimeProvider.System));
        services.AddSingleton<MockResponder>();
        services.AddSingleton(sp => new ProxyHandler(
            sp.GetRequiredService<KeyAuthenticator>(),
            sp.GetRequiredService<LiveConfig>(),
            sp.GetRequiredService<AttemptLoop>(),
            sp.GetRequiredService<MockResponder>(),
            settings.Cache.Enabled ? sp.GetRequiredService<ResponseCaching>() : null,
            settings.MaxRequestBodyBytes,
            sp.GetRequiredService<ILogger<ProxyHandler>>(),
            settings.RequestLog.Enabled ? sp.GetRequiredService<RequestLogWriter>() : null,
            settings.Metrics.Enabled ? sp.GetRequiredService<RouterMetrics>() : null,
            new RequestSpans()));
        // The actor system is asked for when scraped (it starts after the endpoints are mapped).
        services.AddSingleton(sp =>
        {
            var live = sp.GetRequiredService<LiveConfig>();
            return new RouterMetrics(() => live.Current.Routes, board, sp.GetService<Akka.Actor.ActorSystem>, sp.GetRequiredService<DiscoveredModels>(),
                settings.RequestLog.Enabled ? sp.GetRequiredService<RequestLogWriter> : null,
                () => (sp.GetRequiredService<IResponseCacheStore>() as RedisResponseCacheStore)?.RejectedEntries ?? 0);
        });
        // Each node adds to rollup rows of its own: a pair's nodes never write the same row.
        var rollups = new RollupWriter(settings.Cluster.Enabled ? $"{settings.Cluster.Hostname}:{settings.Cluster.Port}" : "local");
        services.AddSingleton(sp => new RequestLogWriter(storage, settings.RequestLog,
            Path.Combine(settings.DataDir, RequestLogOutbox.FileName), TimeProvider.System, sp.GetRequiredService<ILogger<RequestLogWriter>>())
        {
            Rollups = rollups,
        });
        services.AddSingleton(sp => new RollupMaintenance(storage, settings.RequestLog.Rollups, rollups,
            () => sp.GetRequiredService<RequestLogWriter>().OutboxRows, TimeProvider.System, sp.GetRequiredService<ILogger<RollupMaintenance>>()));
        services.AddSingleton(new RequestLogQuery(storage));
        services.AddRouterTracing(settings.Tracing);
        services.AddRouterAlerts(settings);

        services.AddAkka("router", akka =>
        {
            var akkaConfig = storage.PersistenceConfig().WithFallback(HoconConfigLoader.LoadAkkaDefaults());
            akka.AddHocon(akkaConfig, HoconAddMode.Prepend)
                .WithStrictSerialization()
                .AddRouterSerialization()
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithProviderBreakers(settings.Breaker, board)
                .AddStartup((system, _) => nodeLeft.Watch(system));
            if (settings.Cluster.Enabled) akka.WithRouterCluster(settings.Cluster, settings.Storage.ConnectionString!, settings.DataDir);
            else akka.WithLocalKeyBudgets();
        });
        if (settings.Cluster.Enabled)
        {
            services.AddSingleton(settings.Cluster);
            services.AddSingleton(new LeaseStore(settings.Storage.ConnectionString!));
            services.AddHostedService<ClusterFormation>();
        }
        var drainDelay = settings.Cluster.Enabled ? settings.Cluster.DrainDelay : TimeSpan.Zero;
        services.AddSingleton(sp => new ShutdownDrain(drainDelay, settings.StopGrace, sp.GetRequiredService<ILogger<ShutdownDrain>>()));
        services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownDrain.ShutdownTimeout(drainDelay, settings.StopGrace));
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());
        services.AddHostedService<MasterKeyBudget>();
        // After MasterKeyBudget, so it stops first: what it still holds is sent before every key is flushed.
        services.AddSingleton(sp => new SettlementOutbox(sp.GetRequiredService<Admission>(), settings.Settlement, TimeProvider.System,
            sp.GetRequiredService<ILogger<SettlementOutbox>>()));
        services.AddHostedService(sp => sp.GetRequiredService<SettlementOutbox>());
        services.AddHostedService<ConfigReload>();
        // Before the writer, which must know the backfill's cutoff before it writes a row.
        if (settings.RequestLog.Enabled) services.AddHostedService(sp => sp.GetRequiredService<RollupMaintenance>());
        // After MasterKeyBudget, so it stops before it: hosted services stop in reverse order, once Kestrel has drained.
        services.AddHostedService(sp => sp.GetRequiredService<RequestLogWriter>());
        services.AddSingleton<IReleasesWhenIdle>(sp => sp.GetRequiredService<RequestLogWriter>());
        services.AddSingleton<DiscoveredModels>();
        services.AddHostedService(sp =>
        {
            var live = sp.GetRequiredService<LiveConfig>();
            // One read of the configuration in force, so routes, clients and interval are of the same reload.
            ModelListSources Now()
            {
                var c = live.Current;
                return new ModelListSources(c.Routes, c.Providers, c.Settings.ModelListRefresh);
            }
            return new ModelListRefresh(Now, sp.GetRequiredService<DiscoveredModels>(), TimeProvider.System, sp.GetRequiredService<ILogger<ModelListRefresh>>());
        });

        services.AddHostedService<MemoryTrim>();

        var app = builder.Build();
        // Made now, not on the first request: a Redis cache starts connecting while the router starts.
        app.Services.GetRequiredService<IResponseCacheStore>();
        // Statuses ASP.NET answers by itself with an empty body (404 unknown path, 405 wrong method) get the envelope too.
        app.UseWhen(context => !AnswersEveryError.For(context), pages => pages.UseStatusCodePages(async page =>
        {
            var context = page.HttpContext;
            var requestId = RequestIds.Assign(context);
            await ErrorWriter.WriteAsync(context, RouterError.FromStatus(context.Response.StatusCode, context.Request.Method, context.Request.Path), requestId);
        }));
        MapEndpoints(app);
        StartupReport.Log(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Router"), settings,
            app.Services.GetRequiredService<LiveConfig>().Current, certificate);
        return app;
    }

    private static void MapEndpoints(WebApplication app)
    {
        var proxy = app.Services.GetRequiredService<ProxyHandler>();
        app.MapProxyPost("/v1/chat/completions", context => proxy.HandleAsync(context, ProxyOperation.ChatCompletions));
        app.MapProxyPost("/v1/completions", context => proxy.HandleAsync(context, ProxyOperation.Completions));
        app.MapProxyPost("/v1/embeddings", context => proxy.HandleAsync(context, ProxyOperation.Embeddings));
        var maxBodyBytes = app.Services.GetRequiredService<RouterSettings>().MaxRequestBodyBytes;
        var authenticator = app.Services.GetRequiredService<KeyAuthenticator>();
        app.MapProxyPost("/v1/messages", context => MessagesEndpoint.HandleAsync(context, proxy, authenticator, maxBodyBytes));
        app.MapClientPost("/v1/responses", (HttpContext context, ResponseStore store) =>
            ResponsesEndpoint.HandleAsync(context, proxy, authenticator, store, maxBodyBytes));
        app.MapClientGet("/v1/responses/{id}", StoredResponsesEndpoint.GetAsync);
        app.MapClientDelete("/v1/responses/{id}", StoredResponsesEndpoint.DeleteAsync);
        app.MapClientPost("/v1/messages/count_tokens", (HttpContext context, KeyStates keys, LiveConfig live) =>
            CountTokensEndpoint.HandleAsync(context, authenticator, keys, live, maxBodyBytes));
        app.MapClientGet("/v1/models", (HttpContext context, KeyAuthenticator authenticator, RouteTable routes, DiscoveredModels discovered, KeyStates keys) =>
            ModelsEndpoint.HandleAsync(context, authenticator, routes, discovered, keys));
        app.MapClientGet("/v1/model/info", ModelInfoEndpoint.HandleAsync);
        app.MapGet("/health/liveness", HealthEndpoints.Liveness);
        app.MapGet("/health/liveliness", HealthEndpoints.Liveness); // LiteLLM's spelling, which its clients and probes call
        app.MapGet("/health/readiness", HealthEndpoints.ReadinessAsync);
        app.MapGet("/health/deployments", DeploymentHealthEndpoint.HandleAsync);
        app.MapPost("/cache/flush", CacheEndpoints.FlushAsync);
        app.MapPost("/config/reload", ConfigReload.HandleAsync);
        KeyEndpoints.Map(app);
        SpendEndpoints.Map(app);
        MetricsEndpoint.Map(app);
        app.MapDashboard();
        AdminEndpoints.Map(app);
        AlertEndpoints.Map(app);
    }
}
