using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using Router.Contracts.Configuration;
using Router.Host.Keys;
using Router.Host.Pricing;
using Router.Host.Providers;

namespace Router.Host.Admin;

/// <summary>
/// The configuration in force on a node (after defaults, the operator's file, the environment, overrides
/// and the last reload), under the HOCON names of <c>router { }</c>, for <c>router config show</c>. Every
/// secret is masked: the master key, providers' API keys and credential headers, the storage connection
/// string's password, Redis's password, and credentials inside URLs. A masked value shows that it is set,
/// never any part of it.
/// </summary>
public static class ConfigView
{
    public const string Mask = "********";

    public static JsonObject Of(RouterSettings s) => new()
    {
        ["http"] = new JsonObject
        {
            ["urls"] = s.HttpUrls,
            ["tls"] = s.HttpTls is not { } tls ? null : new JsonObject
            {
                ["certificate"] = tls.CertificatePath,
                ["key"] = tls.KeyPath,
                ["password"] = tls.Password is null ? null : Mask,
            },
        },
        ["master-key"] = s.MasterKey is null ? null : Mask,
        ["data-dir"] = s.DataDir,
        ["max-request-body-bytes"] = s.MaxRequestBodyBytes,
        ["admission-timeout"] = Span(s.AdmissionTimeout),
        ["estimate-completion-tokens"] = s.EstimateCompletionTokens,
        ["stop-grace"] = Span(s.StopGrace),
        ["model-lists"] = new JsonObject { ["refresh-interval"] = Span(s.ModelListRefresh) },
        ["budgets"] = new JsonObject { ["min-completion-tokens"] = s.BudgetMinCompletionTokens },
        ["pricing"] = new JsonObject { ["unpriced"] = s.Unpriced == UnpricedModels.Free ? "free" : "refuse" },
        ["breaker"] = new JsonObject
        {
            ["consecutive-failures-to-open"] = s.Breaker.ConsecutiveFailuresToOpen,
            ["cooldown"] = Span(s.Breaker.Cooldown),
            ["failure-rate-to-open"] = s.Breaker.FailureRateToOpen,
            ["failure-rate-window"] = Span(s.Breaker.FailureRateWindow),
            ["minimum-calls-in-window"] = s.Breaker.MinimumCallsInWindow,
            ["idle-after"] = Span(s.Breaker.IdleAfter),
        },
        ["routing"] = Policy(s.DefaultPolicy),
        ["retry"] = new JsonObject
        {
            ["base-delay"] = Span(s.Retry.BaseDelay),
            ["max-delay"] = Span(s.Retry.MaxDelay),
            ["max-retry-after"] = Span(s.Retry.MaxRetryAfter),
            ["budget-ratio"] = s.Retry.BudgetRatio,
            ["budget-min-per-second"] = s.Retry.BudgetMinPerSecond,
        },
        ["providers"] = Providers(s.Providers),
        ["models"] = new JsonArray([.. s.Models.Select(Model)]),
        ["prices"] = Prices(s.Prices),
        ["cache"] = new JsonObject
        {
            ["enabled"] = s.Cache.Enabled,
            ["redis"] = s.Cache.Redis is null ? null : Redis(s.Cache.Redis),
            ["redis-password-file"] = s.Cache.RedisPasswordFile,
            ["redis-ca"] = s.Cache.RedisCa,
            ["secret"] = s.Cache.Secret is null ? null : Mask,
            ["ttl"] = Span(s.Cache.Ttl),
            ["max-ttl"] = Span(s.Cache.MaxTtl),
            ["max-bytes"] = s.Cache.MaxBytes,
            ["models"] = CacheModels(s.Cache.Models),
            ["shared-namespaces"] = Names(s.Cache.SharedNamespaces.Order(StringComparer.Ordinal)),
        },
        ["request-log"] = new JsonObject
        {
            ["enabled"] = s.RequestLog.Enabled,
            ["retention"] = Span(s.RequestLog.Retention),
            ["batch-interval"] = Span(s.RequestLog.BatchInterval),
        },
        ["metrics"] = new JsonObject { ["enabled"] = s.Metrics.Enabled, ["require-key"] = s.Metrics.RequireKey },
        ["tracing"] = new JsonObject
        {
            ["otlp-endpoint"] = s.Tracing.OtlpEndpoint is null ? null : Url(s.Tracing.OtlpEndpoint),
            ["protocol"] = s.Tracing.Protocol == OtlpProtocol.Grpc ? "grpc" : "http/protobuf",
            ["service-name"] = s.Tracing.ServiceName,
            ["sample-ratio"] = s.Tracing.SampleRatio,
            ["export-delay"] = Span(s.Tracing.ExportDelay),
        },
        ["cluster"] = new JsonObject
        {
            ["enabled"] = s.Cluster.Enabled,
            ["hostname"] = s.Cluster.Hostname,
            ["port"] = s.Cluster.Port,
            ["seed-nodes"] = new JsonArray([.. s.Cluster.SeedNodes.Select(n => JsonValue.Create(n))]),
            ["join-timeout"] = Span(s.Cluster.JoinTimeout),
            ["lease-ttl"] = Span(s.Cluster.LeaseTtl),
            ["down-after"] = Span(s.Cluster.DownAfter),
            ["drain-delay"] = Span(s.Cluster.DrainDelay),
            ["heartbeat-pause"] = Span(s.Cluster.HeartbeatPause),
            ["handover-timeout"] = Span(s.Cluster.HandoverTimeout),
            ["tls"] = s.Cluster.Tls is not { } remoting ? null : new JsonObject
            {
                ["certificate"] = remoting.CertificatePath,
                ["key"] = remoting.KeyPath,
                ["password"] = remoting.Password is null ? null : Mask,
                ["ca"] = remoting.CaPath,
                ["peer-thumbprints"] = new JsonArray([.. remoting.PeerThumbprints.Select(t => JsonValue.Create(t))]),
            },
        },
        ["storage"] = new JsonObject
        {
            ["provider"] = s.Storage.Provider == StorageProvider.Postgres ? "postgres" : "sqlite",
            ["connection-string"] = s.Storage.ConnectionString is null ? null : ConnectionString(s.Storage.ConnectionString),
            ["password-file"] = s.Storage.PasswordFile,
        },
        ["alerts"] = Alerts(s.Alerts),
    };

    /// <summary>A target's URL is masked whole, as its token: Discord's and Slack's URLs are their credential, an ntfy topic its only one.</summary>
    private static JsonObject Alerts(AlertsSettings a) => new()
    {
        ["targets"] = new JsonArray([.. a.Targets.Select(t => new JsonObject
        {
            ["name"] = t.Name,
            ["format"] = t.Format.ToString().ToLowerInvariant(),
            ["url"] = Mask,
            ["token"] = t.Token is null ? null : Mask,
            ["events"] = t.Events.Count == 0 ? null : Names(t.Events.Order(StringComparer.Ordinal)),
        })]),
        ["sample-interval"] = Span(a.SampleInterval),
        ["hold-off"] = Span(a.HoldOff),
        ["provider-failing-after"] = Span(a.ProviderFailingAfter),
        ["request-log-backlog"] = a.RequestLogBacklog,
        ["settlement-backlog"] = a.SettlementBacklog,
        ["history"] = a.History,
        ["attempts"] = a.Attempts,
        ["retry-delay"] = Span(a.RetryDelay),
    };

    private static JsonObject Providers(IReadOnlyList<ProviderSettings> providers)
    {
        var block = new JsonObject();
        foreach (var p in providers)
            block[p.Name] = new JsonObject
            {
                ["type"] = ProviderRegistry.Of(p.Type).ConfigName,
                ["api-base"] = Url(p.ApiBase),
                ["api-key"] = p.ApiKey is null ? null : Mask,
                ["api-key-file"] = p.ApiKeyFile,
                ["key-required"] = p.KeyRequired,
                // Left out of the route table without the key it needs: worth seeing next to the masked key.
                ["usable"] = p.IsUsable,
                ["headers"] = Headers(p.Headers),
                ["timeouts"] = Timeouts(p.Timeouts),
                ["discover"] = p.Discovery is not null,
                ["discover-interval"] = p.Discovery is null ? null : Span(p.Discovery.Interval),
                ["default-max-tokens"] = p.DefaultMaxTokens,
                ["drop-params"] = p.DropParams,
                ["local"] = LocalProviders.IsLocal(p),
            };
        return block;
    }

    private static JsonObject Model(ModelEntry m)
    {
        var entry = new JsonObject { ["name"] = m.Name, ["provider"] = m.Provider, ["model"] = m.Model, ["weight"] = m.Weight };
        if (m.MaxInputTokens is { } max) entry["max-input-tokens"] = max;
        if (m.Timeouts is { } timeouts) entry["timeouts"] = Timeouts(timeouts);
        foreach (var (name, value) in Policy(m.Policy)) entry[name] = value?.DeepClone();
        return entry;
    }

    /// <summary>The fields a policy sets (an unset field is taken from the next policy in line, so it is left out).</summary>
    private static JsonObject Policy(RoutingPolicy policy)
    {
        var block = new JsonObject();
        if (policy.Strategy is { } strategy)
            block["strategy"] = strategy switch
            {
                BalancingStrategy.LeastInFlight => "least-in-flight",
                BalancingStrategy.LowestLatency => "lowest-latency",
                _ => "weighted-round-robin",
            };
        if (policy.Retries is { } retries) block["retries"] = retries;
        if (policy.Fallbacks is { } f) block["fallbacks"] = Names(f);
        if (policy.ContextWindowFallbacks is { } c) block["context-window-fallbacks"] = Names(c);
        if (policy.ContentPolicyFallbacks is { } p) block["content-policy-fallbacks"] = Names(p);
        return block;
    }

    private static JsonArray Names(IEnumerable<string> names) => new([.. names.Select(n => JsonValue.Create(n))]);

    private static JsonObject Prices(IReadOnlyDictionary<string, ModelPrice> prices)
    {
        var block = new JsonObject();
        foreach (var (model, price) in prices.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var entry = new JsonObject { ["input-cost-per-token"] = price.InputPerToken, ["output-cost-per-token"] = price.OutputPerToken };
            if (price.CacheReadPerToken is { } cacheRead) entry["cache-read-cost-per-token"] = cacheRead;
            if (price.CacheWritePerToken is { } cacheWrite) entry["cache-write-cost-per-token"] = cacheWrite;
            block[model] = entry;
        }
        return block;
    }

    private static JsonObject CacheModels(IReadOnlyDictionary<string, ModelCacheSettings> models)
    {
        var block = new JsonObject();
        foreach (var (model, settings) in models.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var entry = new JsonObject();
            if (settings.Enabled is { } enabled) entry["enabled"] = enabled;
            if (settings.Ttl is { } ttl) entry["ttl"] = Span(ttl);
            block[model] = entry;
        }
        return block;
    }

    private static JsonObject Timeouts(ProviderTimeouts t) => new()
    {
        ["connect"] = Span(t.Connect), ["first-byte"] = Span(t.FirstByte), ["stream-idle"] = Span(t.StreamIdle), ["total"] = Span(t.Total),
    };

    private static string Span(TimeSpan span) =>
        span == TimeSpan.Zero ? "0s"
        : span.Ticks % TimeSpan.TicksPerSecond == 0 ? Durations.Format(span)
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0.###}ms");

    /// <summary>Headers that carry credentials (a provider's own auth scheme, a proxy's token) are masked; others are shown.</summary>
    private static JsonObject Headers(IReadOnlyDictionary<string, string> headers)
    {
        var block = new JsonObject();
        foreach (var (name, value) in headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
            block[name] = IsCredentialHeader(name) ? Mask : value;
        return block;
    }

    public static bool IsCredentialHeader(string name)
    {
        var lower = name.ToLowerInvariant();
        return lower.Contains("auth", StringComparison.Ordinal) || lower.Contains("key", StringComparison.Ordinal)
            || lower.Contains("token", StringComparison.Ordinal) || lower.Contains("secret", StringComparison.Ordinal)
            || lower.Contains("cookie", StringComparison.Ordinal) || lower.Contains("password", StringComparison.Ordinal)
            || lower.Contains("signature", StringComparison.Ordinal) || lower.Contains("session", StringComparison.Ordinal);
    }

    /// <summary>A URL without the credentials it may carry (<c>https://user:pass@host</c>).</summary>
    public static string Url(Uri uri)
    {
        if (uri.UserInfo.Length == 0) return uri.ToString();
        var builder = new UriBuilder(uri) { UserName = Mask, Password = "" };
        return builder.Uri.ToString();
    }

    /// <summary>An ADO.NET connection string with its password (and any other credential) masked.</summary>
    public static string ConnectionString(string connectionString)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            // Unreadable as key=value pairs: showing any of it could show the password.
            return Mask;
        }
        foreach (var key in builder.Keys.Cast<string>().ToList())
            if (IsCredentialSetting(key)) builder[key] = Mask;
        return builder.ConnectionString;
    }

    /// <summary>
    /// A StackExchange.Redis configuration (<c>host:port,password=…,user=…</c>) or a <c>redis://user:pass@host</c>
    /// URL, with the password masked.
    /// </summary>
    public static string Redis(string configuration)
    {
        if (Uri.TryCreate(configuration, UriKind.Absolute, out var uri) && uri.Scheme is "redis" or "rediss") return Url(uri);
        return string.Join(',', configuration.Split(',').Select(part =>
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            return equals > 0 && IsCredentialSetting(part[..equals].Trim()) ? part[..(equals + 1)] + Mask : part;
        }));
    }

    private static bool IsCredentialSetting(string key)
    {
        var lower = key.Trim().ToLowerInvariant();
        return lower is "password" or "pwd" or "passfile" or "sslpassword" or "ssl password" or "ssl key" or "sslkey"
            || lower.Contains("password", StringComparison.Ordinal) || lower.Contains("secret", StringComparison.Ordinal)
            || lower.Contains("token", StringComparison.Ordinal);
    }
}
