using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Caching;
using Router.Host.Storage;

namespace Router.Host.Configuration;

/// <summary>Turns the <c>router { }</c> block into <see cref="RouterSettings"/>, failing with the key at fault.</summary>
public static partial class RouterSettingsReader
{
    /// <summary>Every key of a <c>router.cache.models</c> entry: what <see cref="ReadCache"/> reads, and all the unknown-key check accepts there.</summary>
    public static readonly IReadOnlyList<string> CacheModelKeys = ["enabled", "ttl"];

    /// <summary>
    /// The settings, with a warning for each key that has no effect (<see cref="UnknownKeys"/>). An invalid
    /// configuration's error names those keys too: a misspelt key is often why a required one is missing.
    /// </summary>
    public static RouterSettings Read(Config config, string? urlsOverride = null)
    {
        var warnings = UnknownKeys.In(config);
        try
        {
            return ReadKnown(config, urlsOverride) with { Warnings = warnings };
        }
        catch (ConfigException e) when (warnings.Count > 0)
        {
            throw new ConfigException($"{e.Message}. Also: {string.Join("; ", warnings)}");
        }
    }

    private static RouterSettings ReadKnown(Config config, string? urlsOverride)
    {
        var router = config.GetConfig("router") ?? throw new ConfigException("the 'router' block is missing");
        var defaultTimeouts = ReadTimeouts(router.GetConfig("provider-defaults.timeouts"), null);
        var providers = ReadProviders(router, defaultTimeouts);
        var urls = urlsOverride ?? router.GetString("http.urls", "http://127.0.0.1:4000");
        var settings = new RouterSettings(
            HttpUrls: urls,
            MasterKey: ReadMasterKey(router),
            DataDir: Path.GetFullPath(router.GetString("data-dir", "data")),
            MaxRequestBodyBytes: router.GetLong("max-request-body-bytes", 8 * 1024 * 1024),
            AdmissionTimeout: router.GetTimeSpan("admission-timeout", TimeSpan.FromSeconds(5)),
            Breaker: ReadBreaker(router),
            Providers: providers,
            Models: ReadModels(router, providers))
        {
            HttpTls = ReadHttpTls(router, urls),
            DefaultPolicy = ReadPolicy(router.GetConfig("routing")?.Root.GetObject(), "router.routing"),
            Retry = ReadRetry(router),
            EstimateCompletionTokens = ReadPositive(router, "estimate-completion-tokens", 1024),
            StopGrace = ReadStopGrace(router),
            ModelListRefresh = ReadModelListRefresh(router),
            BudgetMinCompletionTokens = ReadPositive(router, "budgets.min-completion-tokens", 16),
            Unpriced = ReadUnpriced(router),
            Cache = ReadCache(router),
            RequestLog = ReadRequestLog(router),
            ResponsesRetention = router.GetTimeSpan("responses.retention", TimeSpan.FromDays(30)) is var kept && kept > TimeSpan.Zero
                ? kept
                : throw new ConfigException("router.responses.retention must be positive"),
            Metrics = new MetricsSettings(router.GetBoolean("metrics.enabled", true), router.GetBoolean("metrics.require-key", false)),
            Tracing = ReadTracing(router),
            Cluster = ReadCluster(router),
            Storage = ReadStorage(router),
            Settlement = ReadSettlement(router),
            Prices = ReadPrices(router),
            Alerts = ReadAlerts(router),
        };
        // The pair's journal, keys, log and lease must be one store both nodes reach.
        if (settings.Cluster.Enabled && settings.Storage.Provider != StorageProvider.Postgres)
            throw new ConfigException("router.cluster.enabled needs router.storage.provider = postgres: both nodes share its journal, keys, log and lease");
        RequireSharedCacheSecret(settings);
        return settings with { Models = [.. settings.Models, .. DiscoveryRoutes(settings)] };
    }

    /// <summary>A discovering provider routes <c>name/*</c> to itself unless the config already routes that pattern.</summary>
    private static IEnumerable<ModelEntry> DiscoveryRoutes(RouterSettings settings) =>
        settings.Providers
            .Where(p => p.Discovery is not null && settings.Models.All(m => m.Name != $"{p.Name}/*"))
            .Select(p => new ModelEntry($"{p.Name}/*", p.Name, null));

    private static BreakerSettings ReadBreaker(Config router)
    {
        var breaker = new BreakerSettings(
            router.GetInt("breaker.consecutive-failures-to-open", 5),
            router.GetTimeSpan("breaker.cooldown", TimeSpan.FromSeconds(30)),
            router.GetDouble("breaker.failure-rate-to-open", 0.5),
            router.GetTimeSpan("breaker.failure-rate-window", TimeSpan.FromSeconds(60)),
            router.GetInt("breaker.minimum-calls-in-window", 20))
        {
            IdleAfter = router.GetTimeSpan("breaker.idle-after", BreakerSettings.DefaultIdleAfter),
        };
        if (breaker.IdleAfter <= TimeSpan.Zero) throw new ConfigException("router.breaker.idle-after must be positive");
        if (breaker.FailureRateToOpen is <= 0 or > 1)
            throw new ConfigException("router.breaker.failure-rate-to-open must be a share above 0 and at most 1 (e.g. 0.5)");
        return breaker;
    }

    private static RequestLogSettings ReadRequestLog(Config router)
    {
        var standard = RequestLogSettings.Standard;
        var retention = router.GetTimeSpan("request-log.retention", standard.Retention);
        var interval = router.GetTimeSpan("request-log.batch-interval", standard.BatchInterval);
        if (retention <= TimeSpan.Zero) throw new ConfigException("router.request-log.retention must be positive");
        if (interval <= TimeSpan.Zero) throw new ConfigException("router.request-log.batch-interval must be positive");
        var minutes = router.GetTimeSpan("request-log.rollups.minute-retention", RollupSettings.Standard.MinuteRetention);
        var hours = router.GetTimeSpan("request-log.rollups.hour-retention", RollupSettings.Standard.HourRetention);
        // Minute totals answer the edges of every range: a few hours of them are the least that keeps ranges exact.
        if (minutes < TimeSpan.FromHours(2)) throw new ConfigException("router.request-log.rollups.minute-retention must be at least 2h");
        if (hours < TimeSpan.Zero || (hours > TimeSpan.Zero && hours < TimeSpan.FromDays(2)))
            throw new ConfigException("router.request-log.rollups.hour-retention must be 0 (keep) or at least 2d");
        return new RequestLogSettings(retention, interval)
        {
            Enabled = router.GetBoolean("request-log.enabled", true),
            Rollups = new RollupSettings(minutes, hours),
        };
    }

    private static ClusterSettings ReadCluster(Config router)
    {
        var off = ClusterSettings.Off;
        if (!router.GetBoolean("cluster.enabled", false)) return off;
        var hostname = router.GetString("cluster.hostname", off.Hostname);
        var port = router.GetInt("cluster.port", off.Port);
        if (port is <= 0 or > 65535) throw new ConfigException("router.cluster.port must be a TCP port (1-65535)");
        List<string> seeds = [.. router.GetStringList("cluster.seed-nodes") ?? []];
        foreach (var seed in seeds)
            if (seed.Split(':') is not [{ Length: > 0 }, var p] || !int.TryParse(p, out _))
                throw new ConfigException($"router.cluster.seed-nodes: '{seed}' is not host:port");
        var self = $"{hostname}:{port}";
        if (seeds.Count > 0 && !seeds.Contains(self))
            throw new ConfigException($"router.cluster.seed-nodes must list this node as '{self}' (router.cluster.hostname:port), as the peer does");
        TimeSpan Positive(string key, TimeSpan otherwise)
        {
            var value = router.GetTimeSpan("cluster." + key, otherwise);
            return value > TimeSpan.Zero ? value : throw new ConfigException($"router.cluster.{key} must be positive");
        }
        var cluster = new ClusterSettings(true, hostname, port, seeds, Positive("join-timeout", off.JoinTimeout), Positive("lease-ttl", off.LeaseTtl),
            Positive("down-after", off.DownAfter), router.GetTimeSpan("cluster.drain-delay", off.DrainDelay),
            Positive("heartbeat-pause", off.HeartbeatPause), Positive("handover-timeout", off.HandoverTimeout)) { Tls = ReadClusterTls(router) };
        // The survivor of a crash asks for the split-brain lease no sooner than heartbeat-pause + down-after after
        // the crash; the dead node's last renewal must have expired by then, or the survivor would down itself.
        if (cluster.LeaseTtl >= cluster.HeartbeatPause + cluster.DownAfter)
            throw new ConfigException("router.cluster.lease-ttl must be shorter than heartbeat-pause + down-after, " +
                "so that the lease of a node that crashed has expired when its peer asks for it");
        return cluster;
    }

    /// <summary><c>router.master-key</c> (ROUTER_MASTER_KEY): unset means generated; a short one is refused, never repeated.</summary>
    private static string? ReadMasterKey(Config router)
    {
        var key = NullIfEmpty(router.GetString("master-key", null));
        return key is not null && MasterKeyStore.Weakness(key) is { } weakness
            ? throw new ConfigException($"router.master-key (ROUTER_MASTER_KEY) is refused: {weakness}")
            : key;
    }

    private static StorageSettings ReadStorage(Config router)
    {
        var provider = router.GetString("storage.provider", "sqlite") switch
        {
            "sqlite" => StorageProvider.Sqlite,
            "postgres" => StorageProvider.Postgres,
            var other => throw new ConfigException($"router.storage.provider '{other}' is not one of: sqlite, postgres"),
        };
        var connectionString = NullIfEmpty(router.GetString("storage.connection-string", null));
        if (provider == StorageProvider.Postgres && connectionString is null)
            throw new ConfigException(
                "router.storage.connection-string is required with router.storage.provider = postgres (or set ROUTER_STORAGE_CONNECTION_STRING)");
        // Checked here so a typo fails at start with the key's name; the text itself is never repeated, it holds a password.
        if (provider == StorageProvider.Postgres && PostgresStorage.ConnectionStringProblem(connectionString!) is { } problem)
            throw new ConfigException($"router.storage.connection-string is not a valid PostgreSQL connection string: {problem}");
        var passwordFile = NullIfEmpty(router.GetString("storage.password-file", null)) is { } path ? Path.GetFullPath(path) : null;
        if (passwordFile is null) return new StorageSettings(provider, connectionString);
        if (provider != StorageProvider.Postgres)
            throw new ConfigException("router.storage.password-file is the PostgreSQL password: it needs router.storage.provider = postgres");
        // Merged here, once, so every connection (the router's, the journal's, the cluster lease's) has it.
        var password = SecretFile.Read("router.storage.password-file", passwordFile);
        return new StorageSettings(provider, WithPassword(connectionString!, password)) { PasswordFile = passwordFile };
    }

    /// <summary>
    /// <paramref name="connectionString"/> with <paramref name="password"/> (from <c>router.storage.password-file</c>)
    /// as its password; one that names a password already is refused, as two sources of one secret would be.
    /// </summary>
    private static string WithPassword(string connectionString, string password)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(builder.Password))
            throw new ConfigException("router.storage.connection-string has a Password and router.storage.password-file is set: keep one");
        builder.Password = password;
        return builder.ConnectionString;
    }

    private static SettlementSettings ReadSettlement(Config router)
    {
        var standard = SettlementSettings.Standard;
        var timeout = router.GetTimeSpan("settlement.timeout", standard.Timeout);
        var retryInterval = router.GetTimeSpan("settlement.retry-interval", standard.RetryInterval);
        if (timeout <= TimeSpan.Zero) throw new ConfigException("router.settlement.timeout must be positive");
        if (retryInterval <= TimeSpan.Zero) throw new ConfigException("router.settlement.retry-interval must be positive");
        // auto: a pair confirms (a node that dies must not take settled spend with it); one node need not.
        var confirm = router.GetString("settlement.confirm", "auto") switch
        {
            "auto" => router.GetBoolean("cluster.enabled", false),
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            var other => throw new ConfigException($"router.settlement.confirm '{other}' is not one of: auto, true, false"),
        };
        return new SettlementSettings(confirm, timeout, retryInterval);
    }

    private static TracingSettings ReadTracing(Config router)
    {
        var off = TracingSettings.Off;
        var protocol = router.GetString("tracing.protocol", "http/protobuf") switch
        {
            "http/protobuf" => OtlpProtocol.HttpProtobuf,
            "grpc" => OtlpProtocol.Grpc,
            var other => throw new ConfigException($"router.tracing.protocol '{other}' is not one of: http/protobuf, grpc"),
        };
        var ratio = router.GetDouble("tracing.sample-ratio", off.SampleRatio);
        if (ratio is < 0 or > 1) throw new ConfigException("router.tracing.sample-ratio must be a share from 0 to 1 (e.g. 0.1)");
        var delay = router.GetTimeSpan("tracing.export-delay", off.ExportDelay);
        if (delay <= TimeSpan.Zero) throw new ConfigException("router.tracing.export-delay must be positive");
        var serviceName = NullIfEmpty(router.GetString("tracing.service-name", null)) ?? off.ServiceName;
        return new TracingSettings(OtlpEndpoint(NullIfEmpty(router.GetString("tracing.otlp-endpoint", null)), protocol), protocol,
            serviceName, ratio, delay);
    }

    /// <summary>
    /// The collector's address as given, or, for OTLP/HTTP, completed with <c>/v1/traces</c> when it has no
    /// path: OTEL_EXPORTER_OTLP_ENDPOINT names the collector, not the signal's path.
    /// </summary>
    private static Uri? OtlpEndpoint(string? text, OtlpProtocol protocol)
    {
        if (text is null) return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ConfigException($"router.tracing.otlp-endpoint '{text}' is not an http(s) URL (e.g. http://127.0.0.1:4318)");
        return protocol == OtlpProtocol.HttpProtobuf && uri.AbsolutePath == "/" ? new Uri(uri, "/v1/traces") : uri;
    }

    private static CacheSettings ReadCache(Config router)
    {
        var standard = CacheSettings.Standard;
        var maxBytes = router.GetLong("cache.max-bytes", standard.MaxBytes);
        if (maxBytes < 0) throw new ConfigException("router.cache.max-bytes must not be negative");
        var maxTtl = router.GetTimeSpan("cache.max-ttl", standard.MaxTtl);
        if (maxTtl <= TimeSpan.Zero) throw new ConfigException("router.cache.max-ttl must be positive");
        var models = new Dictionary<string, ModelCacheSettings>(StringComparer.Ordinal);
        if (router.GetConfig("cache.models") is { } block && !block.IsEmpty)
            foreach (var (name, value) in block.Root.GetObject().Items)
            {
                var entry = value.GetObject() ?? throw new ConfigException($"router.cache.models.\"{name}\" must be an object");
                models[name] = new ModelCacheSettings(entry.GetKey("enabled")?.GetBoolean(), entry.GetKey("ttl")?.GetTimeSpan());
            }
        var cache = new CacheSettings(
            router.GetBoolean("cache.enabled", standard.Enabled),
            NullIfEmpty(router.GetString("cache.redis", null)),
            router.GetTimeSpan("cache.ttl", standard.Ttl),
            maxBytes,
            models,
            maxTtl) { SharedNamespaces = ReadSharedNamespaces(router) };
        return WithCacheSecurity(cache, router);
    }

    /// <summary><c>router.cache.shared-namespaces</c>: names a caller could send in <c>x-router-cache-namespace</c>.</summary>
    private static HashSet<string> ReadSharedNamespaces(Config router)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (!router.HasPath("cache.shared-namespaces")) return names;
        var list = router.GetValue("cache.shared-namespaces");
        // HOCON's IsArray is false for an empty list: a string is what is refused.
        if (list.IsString()) throw new ConfigException("router.cache.shared-namespaces must be a list of names, e.g. [\"team\"]");
        foreach (var name in list.GetArray().Select(item => item.GetString() ?? ""))
            names.Add(CacheNamespace.IsValid(name)
                ? name
                : throw new ConfigException($"router.cache.shared-namespaces: '{name}' is not a namespace a caller can send ({CacheNamespace.Rule})"));
        return names;
    }

    private static int ReadPositive(Config router, string key, int otherwise)
    {
        var value = router.GetInt(key, otherwise);
        return value > 0 ? value : throw new ConfigException($"router.{key} must be a positive number");
    }

    private static RetrySettings ReadRetry(Config router)
    {
        var standard = RetrySettings.Standard;
        var retry = new RetrySettings(
            router.GetTimeSpan("retry.base-delay", standard.BaseDelay),
            router.GetTimeSpan("retry.max-delay", standard.MaxDelay),
            router.GetTimeSpan("retry.max-retry-after", standard.MaxRetryAfter),
            router.GetDouble("retry.budget-ratio", standard.BudgetRatio),
            router.GetDouble("retry.budget-min-per-second", standard.BudgetMinPerSecond));
        if (retry.BudgetRatio < 0 || retry.BudgetMinPerSecond < 0)
            throw new ConfigException("router.retry.budget-ratio and budget-min-per-second must not be negative");
        return retry;
    }

    private static TimeSpan ReadStopGrace(Config router)
    {
        var grace = router.GetTimeSpan("stop-grace", TimeSpan.FromSeconds(10));
        if (grace < TimeSpan.Zero || grace > TimeSpan.FromHours(1))
            throw new ConfigException("router.stop-grace must be between 0s and 1h");
        return grace;
    }

    private static UnpricedModels ReadUnpriced(Config router) => router.GetString("pricing.unpriced", "refuse") switch
    {
        "refuse" => UnpricedModels.Refuse,
        "free" => UnpricedModels.Free,
        var other => throw new ConfigException(
            $"router.pricing.unpriced '{other}' is not one of: refuse (a key with a budget is refused a model without a price), free (it costs nothing)"),
    };
}
