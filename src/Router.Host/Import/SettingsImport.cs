using Router.Actors.Routing;

namespace Router.Host.Import;

/// <summary><c>router_settings</c>, <c>litellm_settings</c> and <c>general_settings</c> → the router's routing, retry, breaker, timeout and master-key settings.</summary>
internal static class SettingsImport
{
    public static void LiteLlmSettings(ImportContext context, Dictionary<string, object?> settings, FallbackImport fallbacks)
    {
        CacheImport.Run(context, settings);
        foreach (var (key, value) in settings)
        {
            var at = $"litellm_settings.{key}";
            switch (key)
            {
                case "cache" or "cache_params":
                    break;
                case "num_retries":
                    Retries(context, value, at);
                    break;
                case "request_timeout":
                    Timeout(context, value, at, total: true);
                    break;
                case var _ when FallbackImport.Handles(key):
                    fallbacks.Add(context, key, value, at);
                    break;
                case "drop_params" or "modify_params" or "additional_drop_params":
                    context.Note(at, $"= {LiteLlmYaml.Show(key, value)} is not translated: the router forwards a request's fields as sent (translating them for Anthropic and Gemini)");
                    break;
                case "success_callback" or "failure_callback" or "callbacks" or "service_callback":
                    context.Note(at, $"= {LiteLlmYaml.Show(key, value)} is not translated: the router records every request itself (GET /spend/logs, /spend/report) and calls no logging integrations");
                    break;
                default:
                    Untranslated(context, at, key, value);
                    break;
            }
        }
    }

    public static void RouterSettings(ImportContext context, Dictionary<string, object?> settings, FallbackImport fallbacks)
    {
        var redisNoted = false;
        foreach (var (key, value) in settings)
        {
            var at = $"router_settings.{key}";
            switch (key)
            {
                case "routing_strategy":
                    Strategy(context, value, at);
                    break;
                case "num_retries":
                    Retries(context, value, at);
                    break;
                case var _ when FallbackImport.Handles(key):
                    fallbacks.Add(context, key, value, at);
                    break;
                case "allowed_fails":
                    if (LiteLlmYaml.Number(value) is { } fails and >= 0)
                        // LiteLLM cools a deployment down once it fails more than allowed_fails times in a minute.
                        context.Draft.ConsecutiveFailuresToOpen = (int)fails + 1;
                    else Invalid(context, at, key, value);
                    break;
                case "cooldown_time":
                    if (LiteLlmYaml.Seconds(value) is { } cooldown) context.Draft.Cooldown = cooldown;
                    else Invalid(context, at, key, value);
                    break;
                case "timeout":
                    Timeout(context, value, at, total: true);
                    break;
                case "stream_timeout":
                    Timeout(context, value, at, total: false);
                    break;
                case "retry_after":
                    if (LiteLlmYaml.Seconds(value) is { } wait) context.Draft.RetryBaseDelay = wait;
                    else Invalid(context, at, key, value);
                    break;
                case "model_group_alias":
                    break;
                case "redis_host" or "redis_port" or "redis_password" or "redis_url":
                    if (!redisNoted)
                        context.Note("router_settings.redis_*", "LiteLLM shares usage and cooldowns between its instances through this Redis; not needed: a pair of routers shares budgets and limits through the cluster (each node keeps its own circuit breakers)");
                    redisNoted = true;
                    break;
                case "enable_pre_call_checks":
                    context.Note(at, "not needed: the router always checks a prompt against the model's max-input-tokens (or the price table's) and goes to context-window-fallbacks when it is too long");
                    break;
                case "disable_cooldowns":
                    if (LiteLlmYaml.Boolean(value) == true)
                        context.Note(at, "the router's circuit breakers cannot be switched off; raise router.breaker.consecutive-failures-to-open to make them slow to open");
                    break;
                case "allowed_fails_policy" or "retry_policy" or "model_group_retry_policy":
                    context.Note(at, $"= {LiteLlmYaml.Show(key, value)} is not translated: the router retries connect errors, timeouts, 408, 429 and 5xx, never other 4xx, up to each model's retries");
                    break;
                default:
                    Untranslated(context, at, key, value);
                    break;
            }
        }
    }

    public static void GeneralSettings(ImportContext context, Dictionary<string, object?> settings)
    {
        foreach (var (key, value) in settings)
        {
            var at = $"general_settings.{key}";
            switch (key)
            {
                case "master_key" when LiteLlmYaml.EnvironmentVariable(value) is { } variable:
                    context.Draft.MasterKey = HoconText.FromEnvironment(variable);
                    break;
                case "master_key":
                    context.Note(at, "is written in the file; not copied (secrets stay out of config files): export ROUTER_MASTER_KEY with it, or leave that unset and the router generates one into data-dir/master.key");
                    break;
                case "database_url":
                    context.Note(at, "not translated: the router keeps virtual keys and spend in its own database under router.data-dir; LiteLLM's keys are not migrated (create them again with POST /key/generate)");
                    break;
                default:
                    Untranslated(context, at, key, value);
                    break;
            }
        }
    }

    /// <summary>
    /// <c>router_settings.model_group_alias</c>: <c>{alias: model}</c> or <c>{alias: {model, hidden}}</c>; each alias
    /// becomes routes of its own with the target's deployments.
    /// </summary>
    /// <returns>Each translated alias and its target, so the target's fallbacks can be copied once they are known.</returns>
    public static List<(string Alias, string Target)> Aliases(ImportContext context, object? value)
    {
        const string at = "router_settings.model_group_alias";
        var translated = new List<(string, string)>();
        if (LiteLlmYaml.Map(value) is not { } aliases)
        {
            if (value is not null) context.Note(at, "is not a mapping of alias to model; not translated");
            return translated;
        }
        var routes = context.Draft.Models ??= [];
        foreach (var (alias, spec) in aliases)
        {
            var target = LiteLlmYaml.Text(spec) ?? LiteLlmYaml.Text(LiteLlmYaml.Map(spec)?.GetValueOrDefault("model"));
            var group = target is null ? [] : routes.Where(r => r.Name == target).ToList();
            if (group.Count == 0 || ModelPattern.IsPattern(target!) || ModelPattern.IsPattern(alias))
            {
                context.Note($"{at}.{alias}", $"names {(target is null ? "no model" : $"'{target}', which is not an exact imported model name")}; not translated");
                continue;
            }
            if (routes.Any(r => r.Name == alias))
            {
                context.Note($"{at}.{alias}", "is also a model_name; the model_list entry is kept and the alias is not translated");
                continue;
            }
            if (LiteLlmYaml.Boolean(LiteLlmYaml.Map(spec)?.GetValueOrDefault("hidden")) == true)
                context.Note($"{at}.{alias}.hidden", "not translated: GET /v1/models lists every exact model name, aliases included");
            routes.AddRange(group.Select(r => r.CopyAs(alias)));
            translated.Add((alias, target!));
        }
        return translated;
    }

    /// <summary>An alias is the same model under another name: it gets the target's retries and fallbacks.</summary>
    public static void CopyPolicies(ImportContext context, List<(string Alias, string Target)> aliases)
    {
        var routes = context.Draft.Models ?? [];
        foreach (var (alias, target) in aliases)
        {
            var from = routes.First(r => r.Name == target);
            var to = routes.First(r => r.Name == alias);
            to.Retries ??= from.Retries;
            to.Fallbacks ??= from.Fallbacks;
            to.ContextWindowFallbacks ??= from.ContextWindowFallbacks;
            to.ContentPolicyFallbacks ??= from.ContentPolicyFallbacks;
        }
    }

    private static void Strategy(ImportContext context, object? value, string at)
    {
        var routing = context.Draft.Routing;
        switch (LiteLlmYaml.Text(value))
        {
            case "simple-shuffle":
                routing.Strategy = "weighted-round-robin";
                routing.Comments.Add("LiteLLM's simple-shuffle picks at random by weight; weighted-round-robin interleaves by the same weights");
                break;
            case "least-busy":
                routing.Strategy = "least-in-flight";
                break;
            case "latency-based-routing":
                routing.Strategy = "lowest-latency";
                break;
            case var strategy and ("usage-based-routing" or "usage-based-routing-v2" or "cost-based-routing"):
                routing.Strategy = "weighted-round-robin";
                routing.Comments.Add($"LiteLLM routed by {strategy}");
                context.Note(at, $"{strategy} has no equivalent: weighted-round-robin spreads requests by each deployment's weight (taken from rpm or tpm where LiteLLM had them)");
                break;
            default:
                Invalid(context, at, "routing_strategy", value);
                break;
        }
    }

    private static void Retries(ImportContext context, object? value, string at)
    {
        if (LiteLlmYaml.Number(value) is not { } retries || retries < 0)
        {
            Invalid(context, at, "num_retries", value);
            return;
        }
        if (context.Draft.Routing.Retries is { } earlier && earlier != (int)retries)
            context.Note(at, $"{(int)retries} replaces num_retries {earlier} from litellm_settings");
        context.Draft.Routing.Retries = (int)retries;
    }

    private static void Timeout(ImportContext context, object? value, string at, bool total)
    {
        if (LiteLlmYaml.Seconds(value) is not { } timeout || timeout <= TimeSpan.Zero)
        {
            Invalid(context, at, at[(at.IndexOf('.') + 1)..], value);
            return;
        }
        if (total) context.Draft.DefaultTotalTimeout = timeout;
        else context.Draft.DefaultStreamIdleTimeout = timeout;
    }

    private static void Invalid(ImportContext context, string at, string key, object? value) =>
        context.Note(at, $"= {LiteLlmYaml.Show(key, value)} is not a value the importer understands; not translated");

    public static void Untranslated(ImportContext context, string at, string key, object? value) =>
        context.Note(at, $"= {LiteLlmYaml.Show(key, value)} is not translated: the router has no equivalent");
}
