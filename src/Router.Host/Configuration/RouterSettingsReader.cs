using Akka.Configuration;
using Router.Contracts.Configuration;

namespace Router.Host.Configuration;

/// <summary>Turns the <c>router { }</c> block into <see cref="RouterSettings"/>, failing with the key at fault.</summary>
public static class RouterSettingsReader
{
    public static RouterSettings Read(Config config, string? urlsOverride = null)
    {
        var router = config.GetConfig("router") ?? throw new ConfigException("the 'router' block is missing");
        var defaultTimeouts = ReadTimeouts(router.GetConfig("provider-defaults.timeouts"), null);
        var settings = new RouterSettings(
            HttpUrls: urlsOverride ?? router.GetString("http.urls", "http://127.0.0.1:4000"),
            MasterKey: NullIfEmpty(router.GetString("master-key", null)),
            DataDir: Path.GetFullPath(router.GetString("data-dir", "data")),
            MaxRequestBodyBytes: router.GetLong("max-request-body-bytes", 8 * 1024 * 1024),
            AdmissionTimeout: router.GetTimeSpan("admission-timeout", TimeSpan.FromSeconds(5)),
            Breaker: new BreakerSettings(
                router.GetInt("breaker.consecutive-failures-to-open", 5),
                router.GetTimeSpan("breaker.cooldown", TimeSpan.FromSeconds(30))),
            Providers: ReadProviders(router, defaultTimeouts),
            Models: ReadModels(router));
        foreach (var model in settings.Models.Where(m => settings.Providers.All(p => p.Name != m.Provider)))
            throw new ConfigException($"router.models entry '{model.Name}' names provider '{model.Provider}', which router.providers does not define");
        return settings with { Models = [.. settings.Models, .. DiscoveryRoutes(settings)] };
    }

    /// <summary>A discovering provider routes <c>name/*</c> to itself unless the config already routes that pattern.</summary>
    private static IEnumerable<ModelEntry> DiscoveryRoutes(RouterSettings settings) =>
        settings.Providers
            .Where(p => p.Discovery is not null && settings.Models.All(m => m.Name != $"{p.Name}/*"))
            .Select(p => new ModelEntry($"{p.Name}/*", p.Name, null));

    private static List<ProviderSettings> ReadProviders(Config router, ProviderTimeouts defaults)
    {
        var providers = new List<ProviderSettings>();
        var block = router.GetConfig("providers");
        if (block is null) return providers;
        foreach (var name in block.Root.GetObject().Items.Keys)
        {
            var p = block.GetConfig(name);
            var typeText = p.GetString("type", null) ?? throw new ConfigException($"router.providers.{name}.type is missing");
            var type = typeText switch
            {
                "openai" => ProviderType.OpenAi,
                "openai-compatible" => ProviderType.OpenAiCompatible,
                "anthropic" => ProviderType.Anthropic,
                "gemini" => ProviderType.Gemini,
                _ => throw new ConfigException(
                    $"router.providers.{name}.type '{typeText}' is not one of: openai, openai-compatible, anthropic, gemini"),
            };
            var apiBaseText = p.GetString("api-base", null) ?? throw new ConfigException($"router.providers.{name}.api-base is missing");
            if (!Uri.TryCreate(apiBaseText.TrimEnd('/'), UriKind.Absolute, out var apiBase) || apiBase.Scheme is not ("http" or "https"))
                throw new ConfigException($"router.providers.{name}.api-base '{apiBaseText}' is not an http(s) URL");
            providers.Add(new ProviderSettings(
                name,
                type,
                apiBase,
                NullIfEmpty(p.GetString("api-key", null)),
                p.GetBoolean("key-required", type != ProviderType.OpenAiCompatible),
                ReadHeaders(p.GetConfig("headers")),
                ReadTimeouts(p.GetConfig("timeouts"), defaults),
                ReadDiscovery(p, name, type),
                ReadDefaultMaxTokens(p, name)));
        }
        return providers;
    }

    private static DiscoverySettings? ReadDiscovery(Config provider, string name, ProviderType type)
    {
        if (!provider.GetBoolean("discover", false)) return null;
        if (type != ProviderType.OpenAiCompatible)
            throw new ConfigException($"router.providers.{name}.discover asks an Ollama server for its models; it needs type = openai-compatible");
        return new DiscoverySettings(provider.GetTimeSpan("discover-interval", TimeSpan.FromSeconds(30)));
    }

    private static int ReadDefaultMaxTokens(Config provider, string name)
    {
        var value = provider.GetInt("default-max-tokens", ProviderSettings.StandardMaxTokens);
        return value > 0 ? value : throw new ConfigException($"router.providers.{name}.default-max-tokens must be a positive number of tokens");
    }

    private static Dictionary<string, string> ReadHeaders(Config? headers) =>
        headers is null
            ? new Dictionary<string, string>()
            : headers.Root.GetObject().Items.ToDictionary(h => h.Key, h => h.Value.GetString());

    private static ProviderTimeouts ReadTimeouts(Config? block, ProviderTimeouts? fallback)
    {
        var f = fallback ?? new ProviderTimeouts(
            TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(600));
        if (block is null) return f;
        return new ProviderTimeouts(
            block.GetTimeSpan("connect", f.Connect),
            block.GetTimeSpan("first-byte", f.FirstByte),
            block.GetTimeSpan("stream-idle", f.StreamIdle),
            block.GetTimeSpan("total", f.Total));
    }

    private static List<ModelEntry> ReadModels(Config router)
    {
        var models = new List<ModelEntry>();
        if (!router.HasPath("models")) return models;
        var index = 0;
        foreach (var item in router.GetValue("models").GetArray())
        {
            var entry = item.GetObject() ?? throw new ConfigException($"router.models[{index}] is not an object");
            string? Field(string key) => NullIfEmpty(entry.GetKey(key)?.GetString());
            models.Add(new ModelEntry(
                Field("name") ?? throw new ConfigException($"router.models[{index}].name is missing"),
                Field("provider") ?? throw new ConfigException($"router.models[{index}].provider is missing"),
                Field("model")));
            index++;
        }
        return models;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
