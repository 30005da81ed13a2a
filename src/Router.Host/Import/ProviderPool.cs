namespace Router.Host.Import;

/// <summary>
/// The router providers an import needs: one per distinct provider type, address and key, so that
/// deployments sharing them share a provider. A provider identical to a shipped one (OpenAI at its
/// usual address with OPENAI_API_KEY) keeps the shipped name; any other gets a name of its own, so
/// it never inherits a shipped provider's key through the layering of files.
/// </summary>
internal sealed class ProviderPool(ImportContext context)
{
    private static readonly HashSet<string> ShippedNames =
        ["ollama", "openai", "anthropic", "gemini", "xai", "nvidia-nim", "minimax", "openrouter"];

    private readonly Dictionary<string, ProviderDraft> _byIdentity = new(StringComparer.Ordinal);

    /// <summary>The provider serving a deployment of <paramref name="kind"/>; null (with a note) when its address cannot be translated.</summary>
    public string? Acquire(ProviderKind kind, Dictionary<string, object?> parameters, string at)
    {
        var apiBaseText = LiteLlmYaml.Text(parameters.GetValueOrDefault("api_base"));
        // openai/ pointed elsewhere is LiteLLM's way to reach any OpenAI-compatible server.
        if (kind.Type == "openai" && LiteLlmYaml.EnvironmentVariable(apiBaseText) is null && apiBaseText is not null
            && Uri.TryCreate(apiBaseText, UriKind.Absolute, out var custom) && custom.Host != "api.openai.com")
            kind = LiteLlmProviders.Custom;
        if (Connection(kind, apiBaseText, at) is not { } connection) return null;

        var keyNode = parameters.GetValueOrDefault("api_key");
        var keyVariable = LiteLlmYaml.EnvironmentVariable(keyNode);
        var literalKey = keyVariable is null ? LiteLlmYaml.Text(keyNode) : null;
        if (keyVariable is null && literalKey is null) keyVariable = kind.KeyVariable;

        // The literal key takes part in the identity only in memory: it is never written anywhere.
        var identity = string.Join('|', connection.Type, connection.ApiBase.Literal ?? "$" + connection.ApiBase.Variable,
            literalKey is null ? "env:" + keyVariable : "literal:" + literalKey);
        if (_byIdentity.TryGetValue(identity, out var known))
        {
            if (literalKey is not null)
                context.Note($"{at}.api_key", $"a key written into the file is not copied; it is the key of provider {known.Name}: export {known.ApiKeyVariable} with it");
            return known.Name;
        }

        var name = NameFor(kind, connection, keyVariable, literalKey is not null);
        var variable = literalKey is null ? keyVariable : $"ROUTER_IMPORTED_{name.ToUpperInvariant().Replace('-', '_')}_KEY";
        var provider = new ProviderDraft(name, connection.Type, connection.ApiBase)
        {
            ApiKeyVariable = variable,
            KeyRequired = connection.Type == "openai-compatible" && kind.KeyRequired ? true : null,
            Discover = kind.IsOllama ? false : null,
        };
        if (literalKey is not null)
        {
            context.Note($"{at}.api_key", $"a key written into the file is not copied (secrets stay out of config files): export {variable} with it");
            provider.Comments.Add($"LiteLLM's file held this key itself: export {variable}");
        }
        if (kind.IsAzure)
            provider.Comments.Add("Azure OpenAI through its OpenAI-compatible v1 API: model names are the Azure deployment names");
        if (kind.IsOllama)
            provider.Comments.Add("discover = true would also route every model the server has as " + name + "/<model>");
        _byIdentity[identity] = provider;
        context.Draft.Providers.Add(provider);
        return name;
    }

    private (string Type, HoconText ApiBase)? Connection(ProviderKind kind, string? apiBase, string at)
    {
        if (LiteLlmYaml.EnvironmentVariable(apiBase) is { } variable)
        {
            if (kind.IsOllama || kind.IsAzure)
            {
                context.Note($"{at}.api_base", $"comes from {variable}, to which the router would have to add {(kind.IsAzure ? "/openai/v1" : "/v1")}; not translated: add this provider by hand");
                return null;
            }
            context.Note($"{at}.api_base", $"comes from the environment: {variable} must be set when the router starts (api-base = ${{{variable}}})");
            return (kind.Type, HoconText.FromEnvironment(variable, required: true));
        }
        var text = apiBase ?? kind.DefaultApiBase;
        if (text is null)
        {
            context.Note(at, $"{kind.Prefix}/ needs an api_base, which this entry does not give (LiteLLM reads it from {kind.Prefix.ToUpperInvariant()}_API_BASE then); not translated: add it and import again");
            return null;
        }
        var trimmed = text.TrimEnd('/');
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            context.Note($"{at}.api_base", $"'{text}' is not an http(s) URL; not translated");
            return null;
        }
        if (kind.IsAzure)
            return (kind.Type, HoconText.Of($"{uri.Scheme}://{uri.Authority}/openai/v1"));
        // MiniMax's Anthropic-compatible endpoint is spoken as Anthropic.
        var type = kind.Prefix == "minimax" && uri.AbsolutePath.Contains("/anthropic", StringComparison.Ordinal) ? "anthropic" : kind.Type;
        var (address, note) = LiteLlmApiBase.ToRouter(kind, type, trimmed, uri);
        if (note is not null) context.Note($"{at}.api_base", note);
        return (type, HoconText.Of(address));
    }

    private string NameFor(ProviderKind kind, (string Type, HoconText ApiBase) connection, string? keyVariable, bool literalKey)
    {
        var atDefault = connection.ApiBase.Literal is { } literal && kind.DefaultApiBase is { } standard && SameAddress(literal, standard, kind);
        if (kind.ShippedName is { } shipped && connection.Type == kind.Type && !Taken(shipped)
            && (kind.IsOllama || atDefault && !literalKey && keyVariable == kind.KeyVariable))
            return shipped;
        var suffix =
            connection.Type != kind.Type ? connection.Type
            : connection.ApiBase.Variable is { } baseVariable ? VariableSlug(baseVariable, kind)
            : !atDefault ? HostSlug(connection.ApiBase.Literal!)
            : !literalKey && keyVariable is not null ? VariableSlug(keyVariable, kind)
            : "";
        var name = Slug(suffix.Length > 0 ? $"{kind.ShortName}-{suffix}" : kind.ShortName);
        if (!Taken(name) && !ShippedNames.Contains(name)) return name;
        for (var n = 2; ; n++)
            if (!Taken($"{name}-{n}")) return $"{name}-{n}";
    }

    private bool Taken(string name) => context.Draft.Providers.Any(p => p.Name == name);

    private static bool SameAddress(string given, string standard, ProviderKind kind)
    {
        if (!Uri.TryCreate(given, UriKind.Absolute, out var a) || !Uri.TryCreate(standard, UriKind.Absolute, out var b)) return false;
        static bool Loopback(string host) => host is "localhost" or "127.0.0.1";
        var sameHost = a.Host == b.Host || Loopback(a.Host) && Loopback(b.Host);
        var path = kind.IsOllama ? "" : b.AbsolutePath.TrimEnd('/');
        return sameHost && a.Port == b.Port && (kind.IsOllama || a.AbsolutePath.TrimEnd('/') == path);
    }

    /// <summary><c>contoso-eu.openai.azure.com</c> → <c>contoso-eu</c>; <c>192.168.1.50</c> → <c>192-168-1-50</c>.</summary>
    private static string HostSlug(string address)
    {
        var host = new Uri(address).Host;
        return host.EndsWith(".azure.com", StringComparison.Ordinal) ? host[..host.IndexOf('.')] : host;
    }

    /// <summary><c>OPENAI_KEY_PROD</c> → <c>prod</c>: the variable's words without the provider's and "api key".</summary>
    private static string VariableSlug(string variable, ProviderKind kind)
    {
        var noise = new HashSet<string>(["api", "key", "keys", "token", "base", "url", .. kind.Prefix.Split('_'), .. kind.ShortName.Split('-')]);
        return string.Join('-', variable.ToLowerInvariant().Split('_', StringSplitOptions.RemoveEmptyEntries).Where(w => !noise.Contains(w)));
    }

    private static string Slug(string text)
    {
        var chars = text.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-').ToArray();
        var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length > 0 ? slug : "imported";
    }
}
