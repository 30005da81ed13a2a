using Akka.Configuration;
using Akka.Configuration.Hocon;
using Router.Contracts.Configuration;
using Router.Host.Providers;

namespace Router.Host.Configuration;

/// <summary><c>router.providers</c>: each provider's type (from the registry), address, key, headers, timeouts and discovery; how often model lists are refreshed.</summary>
public static partial class RouterSettingsReader
{
    /// <summary>Every key a provider's block may hold: what <see cref="ReadProviders"/> reads, and all the unknown-key check accepts there.</summary>
    public static readonly IReadOnlyList<string> ProviderKeys =
        ["type", "api-base", "api-key", "api-key-file", "key-required", "headers", "timeouts", "discover", "discover-interval", "default-max-tokens", "local", "drop-params", "responses"];

    private static List<ProviderSettings> ReadProviders(Config router, ProviderTimeouts defaults)
    {
        var providers = new List<ProviderSettings>();
        var block = router.GetConfig("providers");
        if (block is null) return providers;
        foreach (var name in block.Root.GetObject().Items.Keys)
        {
            var p = block.GetConfig(name);
            var typeText = p.GetString("type", null) ?? throw new ConfigException($"router.providers.{name}.type is missing");
            var definition = ProviderRegistry.Named(typeText) ?? throw new ConfigException(
                $"router.providers.{name}.type '{typeText}' is not one of: {string.Join(", ", ProviderRegistry.All.Select(d => d.ConfigName))}");
            var apiBaseText = p.GetString("api-base", null) ?? throw new ConfigException($"router.providers.{name}.api-base is missing");
            if (!Uri.TryCreate(apiBaseText.TrimEnd('/'), UriKind.Absolute, out var apiBase) || apiBase.Scheme is not ("http" or "https"))
                throw new ConfigException($"router.providers.{name}.api-base '{apiBaseText}' is not an http(s) URL");
            providers.Add(new ProviderSettings(
                name,
                definition.Type,
                VersionedApiBase.Complete(definition.Type, apiBase),
                ReadApiKey(p, name, out var keyFile),
                p.GetBoolean("key-required", definition.KeyRequired),
                ReadHeaders(p.GetConfig("headers")),
                ReadTimeouts(p.GetConfig("timeouts"), defaults),
                ReadDiscovery(p, name, definition),
                ReadDefaultMaxTokens(p, name))
            {
                ApiKeyFile = keyFile,
                Local = ReadLocal(p, name),
                DropParams = p.GetBoolean("drop-params", false),
                NativeResponses = ReadResponses(p, name, definition),
            });
        }
        return providers;
    }

    /// <summary><c>api-key</c>, or the content of <c>api-key-file</c> (read again on every reload); never both.</summary>
    private static string? ReadApiKey(Config provider, string name, out string? keyFile)
    {
        var key = NullIfEmpty(provider.GetString("api-key", null));
        keyFile = NullIfEmpty(provider.GetString("api-key-file", null)) is { } path ? Path.GetFullPath(path) : null;
        if (keyFile is null) return key;
        if (key is not null)
            throw new ConfigException(
                $"router.providers.{name} sets both api-key and api-key-file (is its environment variable set?): keep one");
        return SecretFile.Read($"router.providers.{name}.api-key-file", keyFile);
    }

    private static DiscoverySettings? ReadDiscovery(Config provider, string name, ProviderDefinition definition)
    {
        if (!provider.GetBoolean("discover", false)) return null;
        if (!definition.Discovers)
            throw new ConfigException(
                $"router.providers.{name}.discover asks an Ollama server for its models; it needs type = {string.Join(" or ", ProviderRegistry.All.Where(d => d.Discovers).Select(d => d.ConfigName))}");
        return new DiscoverySettings(provider.GetTimeSpan("discover-interval", TimeSpan.FromSeconds(30)));
    }

    /// <summary><c>responses = native | bridged</c> (default bridged); only an OpenAI-compatible server may declare native.</summary>
    private static bool ReadResponses(Config provider, string name, ProviderDefinition definition)
    {
        switch (provider.GetString("responses", "bridged"))
        {
            case "bridged":
                return false;
            case "native" when definition.Type == ProviderType.OpenAiCompatible:
                return true;
            case "native":
                throw new ConfigException(
                    $"router.providers.{name}.responses = native applies to openai-compatible providers; type '{definition.ConfigName}' decides for itself");
            case var other:
                throw new ConfigException($"router.providers.{name}.responses must be native or bridged, not '{other}'");
        }
    }

    /// <summary><c>router.model-lists.refresh-interval</c>: how often providers behind wildcard routes are asked for their models.</summary>
    private static TimeSpan ReadModelListRefresh(Config router)
    {
        var interval = router.GetTimeSpan("model-lists.refresh-interval", TimeSpan.FromMinutes(10));
        return interval >= TimeSpan.FromSeconds(1)
            ? interval
            : throw new ConfigException("router.model-lists.refresh-interval must be at least 1s");
    }

    private static bool? ReadLocal(Config provider, string name) => provider.GetString("local", null) switch
    {
        null => null,
        "true" or "on" or "yes" => true,
        "false" or "off" or "no" => false,
        var other => throw new ConfigException(
            $"router.providers.{name}.local '{other}' is not true or false (leave it out to judge by the provider's address)"),
    };

    private static int ReadDefaultMaxTokens(Config provider, string name)
    {
        var value = provider.GetInt("default-max-tokens", ProviderSettings.StandardMaxTokens);
        return value > 0 ? value : throw new ConfigException($"router.providers.{name}.default-max-tokens must be a positive number of tokens");
    }

    private static Dictionary<string, string> ReadHeaders(Config? headers) =>
        headers is null
            ? new Dictionary<string, string>()
            : headers.Root.GetObject().Items.ToDictionary(h => h.Key, h => h.Value.GetString());

    private static ProviderTimeouts ReadTimeouts(HoconObject block, ProviderTimeouts fallback)
    {
        TimeSpan Read(string key, TimeSpan otherwise) => block.GetKey(key)?.GetTimeSpan() ?? otherwise;
        return new ProviderTimeouts(
            Read("connect", fallback.Connect), Read("first-byte", fallback.FirstByte), Read("stream-idle", fallback.StreamIdle),
            Read("total", fallback.Total));
    }

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
}
