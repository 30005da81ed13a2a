using System.Globalization;
using Akka.Configuration;
using Router.Actors.Routing;
using Router.Host.Configuration;

namespace Router.Host.Import;

/// <summary>
/// <c>model_list</c> → <c>router.models</c> (and the providers they need, and <c>router.prices</c>).
/// Entries sharing a <c>model_name</c> become deployments of one model, weighted as LiteLLM weighs them.
/// </summary>
internal static class ModelListImport
{
    private static readonly HashSet<string> EntryKeys = ["model_name", "litellm_params", "model_info"];

    /// <summary>litellm_params the importer translates (or that only serve the translation); the rest are noted.</summary>
    private static readonly HashSet<string> ParameterKeys =
    [
        "model", "api_key", "api_base", "custom_llm_provider", "api_version", "rpm", "tpm", "weight", "timeout", "stream_timeout",
        "num_retries", "max_retries", "input_cost_per_token", "output_cost_per_token",
    ];

    private static readonly HashSet<string> InfoKeys = ["max_input_tokens", "input_cost_per_token", "output_cost_per_token"];

    public static void Run(ImportContext context, object? node)
    {
        var list = LiteLlmYaml.List(node);
        if (list is null)
        {
            context.Note("model_list", "is not a list; no models imported, so the shipped routes stay");
            return;
        }
        var routes = new List<RouteDraft>();
        var parametersOf = new Dictionary<RouteDraft, Dictionary<string, object?>>();
        var places = new Dictionary<RouteDraft, string>();
        for (var i = 0; i < list.Count; i++)
        {
            if (Entry(context, list[i], i) is not { } entry) continue;
            if (entry.Shipped)
            {
                routes.AddRange(ShippedRoutes());
                continue;
            }
            routes.Add(entry.Route!);
            parametersOf[entry.Route!] = entry.Parameters;
            places[entry.Route!] = entry.At;
        }
        foreach (var group in routes.Where(parametersOf.ContainsKey).GroupBy(r => r.Name))
            Weigh(group.ToList(), parametersOf);
        foreach (var (route, parameters) in parametersOf) KeepRateLimits(context, route, parameters, places[route]);
        if (routes.Count == 0) context.Note("model_list", "no entry could be translated: the generated file routes no model");
        context.Draft.Models = routes;
    }

    private sealed record Imported(RouteDraft? Route, Dictionary<string, object?> Parameters, string At, bool Shipped = false);

    private static Imported? Entry(ImportContext context, object? node, int index)
    {
        var at = $"model_list[{index}]";
        var entry = LiteLlmYaml.Map(node);
        if (entry is null)
        {
            context.Note(at, "is not a mapping with model_name and litellm_params; not translated");
            return null;
        }
        var name = LiteLlmYaml.Text(entry.GetValueOrDefault("model_name"));
        if (name is not null) at = $"{at} ({name})";
        var parameters = LiteLlmYaml.Map(entry.GetValueOrDefault("litellm_params"));
        var model = parameters is null ? null : LiteLlmYaml.Text(parameters.GetValueOrDefault("model"));
        if (name is null || parameters is null || model is null)
        {
            context.Note(at, "needs model_name and litellm_params.model; not translated");
            return null;
        }
        foreach (var key in entry.Keys.Where(k => !EntryKeys.Contains(k)))
            context.Note($"{at}.{key}", $"= {LiteLlmYaml.Show(key, entry[key])} is not translated");

        if (name == "*" && model == "*")
        {
            context.Note(at, "LiteLLM passes any model to the provider it infers from the name; the router's shipped routes do the same (gpt-* to openai, claude-* to anthropic, ..., the rest to openrouter), so they are written in its place");
            return new Imported(null, parameters, at, Shipped: true);
        }
        if (ModelPattern.Validate(name) is { } problem)
        {
            context.Note(at, $"{problem} in the router (a pattern ends in '*'); not translated");
            return null;
        }
        var (kind, upstream, prefix) = LiteLlmProviders.Split(model, LiteLlmYaml.Text(parameters.GetValueOrDefault("custom_llm_provider")));
        if (kind is null)
        {
            context.Note(at, Unsupported(model, prefix));
            return null;
        }
        var pattern = ModelPattern.IsPattern(name);
        if (upstream.Contains('*') && (!pattern || ModelPattern.Validate(upstream) is not null))
        {
            context.Note(at, $"model '{model}' is a pattern the router cannot express for model_name '{name}' (both must end in '*'); not translated");
            return null;
        }
        if (context.Providers.Acquire(kind, parameters, at) is not { } provider) return null;

        // A pattern always names its upstream explicitly: the router strips a namespace pattern's prefix otherwise.
        var route = new RouteDraft(name, provider, upstream == name && !pattern ? null : upstream)
        {
            TotalTimeout = LiteLlmYaml.Seconds(parameters.GetValueOrDefault("timeout")),
            StreamIdleTimeout = LiteLlmYaml.Seconds(parameters.GetValueOrDefault("stream_timeout")),
            Retries = (int?)LiteLlmYaml.Number(parameters.GetValueOrDefault("num_retries") ?? parameters.GetValueOrDefault("max_retries")),
        };
        if (kind.IsAzure && parameters.ContainsKey("api_version"))
            context.Note($"{at}.api_version", "not needed: the router calls Azure's v1 API, which takes no api-version (the resource must offer it)");
        foreach (var key in parameters.Keys.Where(k => !ParameterKeys.Contains(k)))
        {
            context.Note($"{at}.litellm_params.{key}", $"= {LiteLlmYaml.Show(key, parameters[key])} is not translated: " + key switch
            {
                "extra_headers" or "headers" => "a provider's headers { } block sends fixed headers on every call (add it by hand)",
                "organization" => "add headers { \"OpenAI-Organization\" = ... } to the provider by hand",
                "max_tokens" when kind.Type == "anthropic" => "the provider's default-max-tokens sets what is sent when a request has none",
                _ => "the router forwards each request's own fields",
            });
            route.Comments.Add($"litellm {key} = {LiteLlmYaml.Show(key, parameters[key])}");
        }
        Info(context, route, parameters, LiteLlmYaml.Map(entry.GetValueOrDefault("model_info")), at);
        return new Imported(route, parameters, at);
    }

    private static string Unsupported(string model, string prefix) => prefix switch
    {
        "vertex_ai" or "vertex_ai_beta" =>
            $"model '{model}': Vertex AI needs Google Cloud credentials the router does not hold; not translated: Google's Gemini API serves the same models (route the name to provider gemini with GEMINI_API_KEY)",
        "bedrock" or "sagemaker" => $"model '{model}': AWS {prefix} needs AWS request signing, which the router does not do; not translated",
        "" => $"model '{model}' has no provider prefix the router recognises (such as openai/ or ollama/); not translated",
        _ => $"model '{model}': the router has no provider for LiteLLM's '{prefix}/'; not translated (an OpenAI-compatible endpoint can be added as a provider of type openai-compatible by hand)",
    };

    private static void Info(ImportContext context, RouteDraft route, Dictionary<string, object?> parameters, Dictionary<string, object?>? info, string at)
    {
        if (info is not null)
        {
            route.MaxInputTokens = (int?)LiteLlmYaml.Number(info.GetValueOrDefault("max_input_tokens"));
            foreach (var key in info.Keys.Where(k => !InfoKeys.Contains(k)))
                context.Note($"{at}.model_info.{key}", key switch
                {
                    "id" => "not needed: the router names each deployment provider:model-name",
                    "mode" => "not needed: the router serves chat, completions and embeddings through the same routes",
                    "base_model" => $"= {LiteLlmYaml.Show(key, info[key])} is not translated: the router prices by the upstream name or router.prices",
                    _ => $"= {LiteLlmYaml.Show(key, info[key])} is not translated",
                });
        }
        decimal? Price(string key) =>
            decimal.TryParse(LiteLlmYaml.Text(info?.GetValueOrDefault(key) ?? parameters.GetValueOrDefault(key)), NumberStyles.Float, CultureInfo.InvariantCulture, out var price) && price >= 0
                ? price
                : null;
        var (input, output) = (Price("input_cost_per_token"), Price("output_cost_per_token"));
        if (input is null && output is null) return;
        var prices = context.Draft.Prices;
        if (prices.FirstOrDefault(p => p.Model == route.Name) is { } known)
        {
            if (known.InputPerToken != input || known.OutputPerToken != output)
                context.Note(at, "prices a deployment differently from an earlier entry of the same model_name; the router prices a model name once, so the first entry's prices are kept");
            return;
        }
        prices.Add(new PriceDraft(route.Name, input, output));
    }

    private static void Weigh(List<RouteDraft> group, Dictionary<RouteDraft, Dictionary<string, object?>> parametersOf)
    {
        if (Weights.Of([.. group.Select(r => parametersOf[r])]) is not var (source, weights, hadZero)) return;
        for (var i = 0; i < group.Count; i++)
        {
            group[i].Weight = weights[i];
            var value = LiteLlmYaml.Show(source, parametersOf[group[i]].GetValueOrDefault(source));
            group[i].Comments.Insert(0, $"weight from litellm {source} = {value}{(hadZero && value is "(empty)" or "0" ? " (LiteLLM's 0 means never picked; the router's least weight is 1)" : "")}");
        }
    }

    private static void KeepRateLimits(ImportContext context, RouteDraft route, Dictionary<string, object?> parameters, string at)
    {
        var limits = new[] { "rpm", "tpm" }.Where(parameters.ContainsKey).Select(k => $"{k} = {LiteLlmYaml.Show(k, parameters[k])}").ToList();
        foreach (var limit in limits)
            context.Note($"{at}.litellm_params.{limit}",
                "the router has no per-deployment rate limit (virtual keys have rpm_limit and tpm_limit); kept as a comment");
        if (limits.Count > 0) route.Comments.Add($"litellm {string.Join(", ", limits)}: the router has no per-deployment limit");
    }

    /// <summary>The routes shipped in the executable's router.conf, as they are.</summary>
    private static IEnumerable<RouteDraft> ShippedRoutes()
    {
        var defaults = ConfigurationFactory.ParseString(HoconEnvironment.Resolve(HoconConfigLoader.ReadEmbedded("router.conf"), _ => null));
        return RouterSettingsReader.Read(defaults).Models
            .DistinctBy(m => (m.Name, m.Provider))
            .Select(m => new RouteDraft(m.Name, m.Provider, m.Model));
    }
}
