namespace Router.Host.Import;

/// <summary>
/// <c>litellm_settings.cache</c> and <c>cache_params</c> → <c>router.cache</c>. LiteLLM caches nothing
/// unless told to, the router caches in memory by default: an import keeps LiteLLM's behaviour.
/// </summary>
internal static class CacheImport
{
    private static readonly HashSet<string> Translated = ["type", "host", "port", "password", "ttl", "mode"];

    public static void Run(ImportContext context, Dictionary<string, object?> settings)
    {
        var parameters = LiteLlmYaml.Map(settings.GetValueOrDefault("cache_params"));
        if (LiteLlmYaml.Boolean(settings.GetValueOrDefault("cache")) != true)
        {
            var off = new CacheDraft(false);
            off.Comments.Add("LiteLLM cached nothing (litellm_settings.cache was not true); enabled = true turns the router's cache on");
            context.Note("litellm_settings.cache", "is not true, so the router's response cache (on by default) is switched off as LiteLLM's was; set router.cache.enabled = true to use it");
            if (parameters is not null) context.Note("litellm_settings.cache_params", "is ignored because the cache is off");
            context.Draft.Cache = off;
            return;
        }
        parameters ??= [];
        var defaultOff = LiteLlmYaml.Text(parameters.GetValueOrDefault("mode")) == "default_off";
        var cache = new CacheDraft(!defaultOff) { Ttl = LiteLlmYaml.Seconds(parameters.GetValueOrDefault("ttl")) };
        if (defaultOff)
        {
            context.Note("litellm_settings.cache_params.mode", "default_off (cache only when a request asks) has no equivalent: the router caches every request unless it says Cache-Control: no-store, so the cache is written switched off");
            cache.Comments.Add("LiteLLM cached only requests that asked (mode: default_off)");
        }
        // The LiteLLM proxy's cache is Redis unless cache_params says otherwise.
        var type = LiteLlmYaml.Text(parameters.GetValueOrDefault("type")) ?? "redis";
        switch (type)
        {
            case "local":
                cache.Comments.Add("in memory, like LiteLLM's local cache");
                break;
            case "redis":
                Redis(context, cache, parameters);
                break;
            default:
                context.Note("litellm_settings.cache_params.type", $"'{type}' has no equivalent: the router caches in memory, or in Redis with router.cache.redis = \"host:port\"");
                break;
        }
        foreach (var key in parameters.Keys.Where(k => !Translated.Contains(k)))
            context.Note($"litellm_settings.cache_params.{key}", key switch
            {
                "namespace" => $"= {LiteLlmYaml.Show(key, parameters[key])} is not translated: clients pick a cache namespace per request with x-router-cache-namespace",
                "supported_call_types" => $"= {LiteLlmYaml.Show(key, parameters[key])} is not translated: the router caches chat, completions and embeddings; router.cache.models turns it off per model",
                _ => $"= {LiteLlmYaml.Show(key, parameters[key])} is not translated",
            });
        context.Draft.Cache = cache;
    }

    private static void Redis(ImportContext context, CacheDraft cache, Dictionary<string, object?> parameters)
    {
        const string at = "litellm_settings.cache_params";
        var (host, hostVariable) = Value(context, parameters, "host", "REDIS_HOST");
        var (port, portVariable) = Value(context, parameters, "port", null);
        if (parameters.ContainsKey("password") || context.FileEnvironment.ContainsKey("REDIS_PASSWORD"))
            context.Note($"{at}.password", "is not carried into the config file: put the password in a file named by router.cache.redis-password-file, or add ,password=... to ROUTER_CACHE_REDIS");
        if (host is not null && portVariable is null)
        {
            cache.Redis = HoconText.Of(port is null ? host : $"{host}:{port}");
            return;
        }
        if (hostVariable is not null && portVariable is null && port is null or "6379")
        {
            cache.Redis = HoconText.FromEnvironment(hostVariable);
            cache.Comments.Add($"redis: the host in {hostVariable}, port 6379");
            return;
        }
        if (host is not null)
        {
            // The port is only known when the router starts; Redis's own port is the best guess.
            cache.Redis = HoconText.Of(host);
            context.Note($"{at}.port", $"comes from {portVariable}, which the router cannot join to the host: the cache uses {host}:6379; write router.cache.redis = \"{host}:<port>\" if that is wrong");
            return;
        }
        context.Note($"{at}.host", hostVariable is null
            ? "no Redis host is given: the cache stays in memory unless ROUTER_CACHE_REDIS (host:port) is set"
            : $"host and port come from {hostVariable} and {portVariable}, which the router cannot join: set ROUTER_CACHE_REDIS=host:port (the cache stays in memory without it)");
    }

    /// <summary>A cache_params value: written in the file, from os.environ/NAME, or (as LiteLLM does) from REDIS_HOST/REDIS_PORT.</summary>
    private static (string? Literal, string? Variable) Value(ImportContext context, Dictionary<string, object?> parameters, string key, string? variable)
    {
        var node = parameters.GetValueOrDefault(key);
        if (LiteLlmYaml.EnvironmentVariable(node) is { } named)
            return context.FileEnvironment.TryGetValue(named, out var set) ? (set, null) : (null, named);
        if (LiteLlmYaml.Text(node) is { } literal) return (literal, null);
        var fallback = variable ?? "REDIS_" + key.ToUpperInvariant();
        return context.FileEnvironment.TryGetValue(fallback, out var fromFile) ? (fromFile, null) : (null, variable);
    }
}
