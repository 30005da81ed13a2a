using Router.Actors.Routing;

namespace Router.Host.Import;

/// <summary>
/// LiteLLM's <c>fallbacks</c>, <c>context_window_fallbacks</c>, <c>content_policy_fallbacks</c> (lists of
/// <c>{model: [fallbacks]}</c>, <c>"*"</c> for every model) and <c>default_fallbacks</c>, from either
/// settings section, onto each model's first route entry or <c>router.routing</c>. Applied after the
/// model list and its aliases are known, so a name nothing serves is reported.
/// </summary>
internal sealed class FallbackImport
{
    private static readonly string[] Kinds = ["fallbacks", "context_window_fallbacks", "content_policy_fallbacks"];

    private readonly Dictionary<string, Dictionary<string, (List<string> Targets, string At)>> _perModel =
        Kinds.ToDictionary(k => k, _ => new Dictionary<string, (List<string>, string)>(StringComparer.Ordinal));

    private readonly Dictionary<string, (List<string> Targets, string At)> _everyModel = new(StringComparer.Ordinal);

    public static bool Handles(string key) => key == "default_fallbacks" || Kinds.Contains(key);

    public void Add(ImportContext context, string kind, object? value, string at)
    {
        if (kind == "default_fallbacks")
        {
            if (Names(value) is { } names) Set(context, _everyModel, "fallbacks", names, at);
            else context.Note(at, "is not a list of model names; not translated");
            return;
        }
        var maps = LiteLlmYaml.List(value) is { } list ? list.Select(LiteLlmYaml.Map).ToList() : [LiteLlmYaml.Map(value)];
        foreach (var map in maps)
        {
            if (map is null)
            {
                context.Note(at, "is not a list of {model: [fallbacks]} mappings; not translated");
                continue;
            }
            foreach (var (model, targets) in map)
            {
                if (Names(targets) is not { } names) context.Note($"{at} ({model})", "is not a list of model names; not translated");
                else if (model == "*") Set(context, _everyModel, kind, names, at);
                else Set(context, _perModel[kind], model, names, at);
            }
        }
    }

    /// <summary>A later section (router_settings, read after litellm_settings) wins, as it does in LiteLLM's router.</summary>
    private static void Set(ImportContext context, Dictionary<string, (List<string> Targets, string At)> into, string key, List<string> names, string at)
    {
        if (into.TryGetValue(key, out var earlier) && !earlier.Targets.SequenceEqual(names))
            context.Note(at, $"{key}: [{string.Join(", ", names)}] replaces [{string.Join(", ", earlier.Targets)}] from {earlier.At}");
        into[key] = (names, at);
    }

    private static List<string>? Names(object? value) =>
        LiteLlmYaml.Text(value) is { } single ? [single]
        : LiteLlmYaml.List(value) is { } list && list.All(v => LiteLlmYaml.Text(v) is not null) ? [.. list.Select(v => LiteLlmYaml.Text(v)!)]
        : null;

    public void Apply(ImportContext context)
    {
        var routes = context.Draft.Models;
        foreach (var kind in Kinds)
        {
            foreach (var (model, (targets, at)) in _perModel[kind])
            {
                var first = routes?.FirstOrDefault(r => r.Name == model);
                if (first is null)
                {
                    context.Note($"{at} ({model})", $"no imported model is named '{model}'; not translated");
                    continue;
                }
                switch (kind)
                {
                    case "fallbacks": first.Fallbacks = targets; break;
                    case "context_window_fallbacks": first.ContextWindowFallbacks = targets; break;
                    default: first.ContentPolicyFallbacks = targets; break;
                }
                CheckTargets(context, model, targets, at);
            }
            if (!_everyModel.TryGetValue(kind, out var every)) continue;
            switch (kind)
            {
                case "fallbacks": context.Draft.Routing.Fallbacks = every.Targets; break;
                case "context_window_fallbacks": context.Draft.Routing.ContextWindowFallbacks = every.Targets; break;
                default: context.Draft.Routing.ContentPolicyFallbacks = every.Targets; break;
            }
            CheckTargets(context, "every model", every.Targets, every.At);
        }
    }

    private static void CheckTargets(ImportContext context, string model, List<string> targets, string at)
    {
        if (context.Draft.Models is not { } routes) return;
        foreach (var target in targets.Where(t => !routes.Any(r => ModelPattern.Matches(r.Name, t))))
            context.Note(at, $"{model} falls back to '{target}', which no imported route serves; the router skips a fallback it cannot route");
    }
}
