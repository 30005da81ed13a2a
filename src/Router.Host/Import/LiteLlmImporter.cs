namespace Router.Host.Import;

/// <summary>
/// Translates a LiteLLM proxy <c>config.yaml</c> into the router's configuration. What has an
/// equivalent is translated; everything else becomes an <see cref="ImportNote"/>, so nothing is
/// dropped without saying so. Secrets written into the file are never carried over.
/// </summary>
public static class LiteLlmImporter
{
    /// <summary>The sections in the order they are read: the models first, so settings can refer to them.</summary>
    private static readonly string[] Sections = ["environment_variables", "model_list", "litellm_settings", "router_settings", "general_settings"];

    public static ImportResult Import(string yaml)
    {
        var root = LiteLlmYaml.ParseRoot(yaml);
        var context = new ImportContext(FileEnvironment(root.GetValueOrDefault("environment_variables")));
        var fallbacks = new FallbackImport();

        foreach (var (name, value) in root.Where(s => !Sections.Contains(s.Key)))
            context.Note(name, name == "include"
                ? "not translated: import the included files one by one and merge what they produce"
                : $"is not a LiteLLM section the importer knows; not translated");
        if (LiteLlmYaml.Map(root.GetValueOrDefault("environment_variables")) is { } environment)
            foreach (var name in environment.Keys)
                context.Note($"environment_variables.{name}", "LiteLLM sets it before it starts; the router does not: export it yourself if anything needs it");

        if (root.TryGetValue("model_list", out var modelList))
        {
            ModelListImport.Run(context, modelList);
            MergeRetries(context.Draft);
        }
        else context.Note("model_list", "missing: the generated file keeps the router's shipped routes");
        if (Section(context, root, "litellm_settings") is { } litellm) SettingsImport.LiteLlmSettings(context, litellm, fallbacks);
        else CacheImport.Run(context, []);
        var router = Section(context, root, "router_settings");
        if (router is not null) SettingsImport.RouterSettings(context, router, fallbacks);
        var aliases = SettingsImport.Aliases(context, router?.GetValueOrDefault("model_group_alias"));
        fallbacks.Apply(context);
        SettingsImport.CopyPolicies(context, aliases);
        if (Section(context, root, "general_settings") is { } general) SettingsImport.GeneralSettings(context, general);
        return new ImportResult(context.Draft, context.Notes);
    }

    private static Dictionary<string, object?>? Section(ImportContext context, Dictionary<string, object?> root, string name)
    {
        if (!root.TryGetValue(name, out var value) || value is null) return null;
        if (LiteLlmYaml.Map(value) is { } map) return map;
        context.Note(name, "is not a mapping; not translated");
        return null;
    }

    /// <summary>The non-secret scalars of environment_variables (a Redis host is useful; a key is never read).</summary>
    private static Dictionary<string, string> FileEnvironment(object? section)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in LiteLlmYaml.Map(section) ?? [])
            if (LiteLlmYaml.Text(value) is { } text && !LiteLlmYaml.MayBeSecret(name, text)) values[name] = text;
        return values;
    }

    /// <summary>A model's retries are the router's per model: the first entry of a name carries them.</summary>
    private static void MergeRetries(RouterDraft draft)
    {
        foreach (var group in (draft.Models ?? []).GroupBy(r => r.Name))
        {
            var first = group.First();
            first.Retries ??= group.Select(r => r.Retries).FirstOrDefault(r => r is not null);
            foreach (var other in group.Skip(1)) other.Retries = null;
        }
    }
}
