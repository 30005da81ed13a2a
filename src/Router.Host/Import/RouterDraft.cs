namespace Router.Host.Import;

/// <summary>
/// The router configuration an import produces, before it is written as HOCON: only what the LiteLLM
/// file said. Anything unset here is left to the shipped defaults the written file is layered over.
/// </summary>
public sealed class RouterDraft
{
    public HoconText? MasterKey { get; set; }

    public List<ProviderDraft> Providers { get; } = [];

    /// <summary>Null: the file had no model list, so the shipped routes stay.</summary>
    public List<RouteDraft>? Models { get; set; }

    public RoutingDraft Routing { get; } = new();

    public int? ConsecutiveFailuresToOpen { get; set; }
    public TimeSpan? Cooldown { get; set; }
    public TimeSpan? RetryBaseDelay { get; set; }
    public TimeSpan? DefaultTotalTimeout { get; set; }
    public TimeSpan? DefaultStreamIdleTimeout { get; set; }

    public CacheDraft? Cache { get; set; }

    public List<PriceDraft> Prices { get; } = [];
}

/// <summary>A HOCON string value: a literal, or an environment variable (<c>${?NAME}</c>, or <c>${NAME}</c> when required).</summary>
public sealed record HoconText(string? Literal, string? Variable = null, bool Required = false)
{
    public static HoconText Of(string literal) => new(literal);
    public static HoconText FromEnvironment(string variable, bool required = false) => new(null, variable, required);
}

public sealed class ProviderDraft(string name, string type, HoconText apiBase)
{
    public string Name { get; } = name;
    public string Type { get; } = type;
    public HoconText ApiBase { get; } = apiBase;
    /// <summary>Always an environment variable: a key is never written into the file.</summary>
    public string? ApiKeyVariable { get; init; }
    public bool? KeyRequired { get; init; }
    public bool? Discover { get; init; }
    public List<string> Comments { get; } = [];
}

public sealed class RouteDraft(string name, string provider, string? model)
{
    public string Name { get; } = name;
    public string Provider { get; } = provider;
    public string? Model { get; } = model;
    public int? Weight { get; set; }
    public int? MaxInputTokens { get; set; }
    public TimeSpan? TotalTimeout { get; set; }
    public TimeSpan? StreamIdleTimeout { get; set; }
    public int? Retries { get; set; }
    public List<string>? Fallbacks { get; set; }
    public List<string>? ContextWindowFallbacks { get; set; }
    public List<string>? ContentPolicyFallbacks { get; set; }
    /// <summary>LiteLLM settings kept beside the entry because the router has no equivalent.</summary>
    public List<string> Comments { get; } = [];

    public RouteDraft CopyAs(string name) => new(name, Provider, Model ?? Name)
    {
        Weight = Weight, MaxInputTokens = MaxInputTokens, TotalTimeout = TotalTimeout, StreamIdleTimeout = StreamIdleTimeout,
    };
}

public sealed class RoutingDraft
{
    public string? Strategy { get; set; }
    public int? Retries { get; set; }
    public List<string>? Fallbacks { get; set; }
    public List<string>? ContextWindowFallbacks { get; set; }
    public List<string>? ContentPolicyFallbacks { get; set; }
    public List<string> Comments { get; } = [];
}

public sealed class CacheDraft(bool enabled)
{
    public bool Enabled { get; } = enabled;
    public HoconText? Redis { get; set; }
    public TimeSpan? Ttl { get; set; }
    public List<string> Comments { get; } = [];
}

/// <summary>A <c>router.prices</c> entry, in USD per token, kept as LiteLLM wrote it so it stays exact.</summary>
public sealed record PriceDraft(string Model, decimal? InputPerToken, decimal? OutputPerToken);

/// <summary>What an import produced: the configuration and everything it could not carry over.</summary>
public sealed record ImportResult(RouterDraft Config, IReadOnlyList<ImportNote> Notes);
