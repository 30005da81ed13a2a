namespace Router.Contracts.Configuration;

/// <summary>The router's effective configuration, read from HOCON once at start.</summary>
public sealed record RouterSettings(
    string HttpUrls,
    string? MasterKey,
    string DataDir,
    long MaxRequestBodyBytes,
    TimeSpan AdmissionTimeout,
    BreakerSettings Breaker,
    IReadOnlyList<ProviderSettings> Providers,
    IReadOnlyList<ModelEntry> Models);

public enum ProviderType
{
    /// <summary>api.openai.com: a key is always required.</summary>
    OpenAi,
    /// <summary>Any server speaking the OpenAI wire format (Ollama, vLLM, OpenRouter, xAI, NIM, MiniMax).</summary>
    OpenAiCompatible,
    /// <summary>Anthropic's Messages API, reached by translation: a key is always required.</summary>
    Anthropic,
    /// <summary>Google's Gemini API (generateContent), reached by translation: a key is always required.</summary>
    Gemini,
}

public sealed record ProviderSettings(
    string Name,
    ProviderType Type,
    Uri ApiBase,
    string? ApiKey,
    bool KeyRequired,
    IReadOnlyDictionary<string, string> Headers,
    ProviderTimeouts Timeouts,
    DiscoverySettings? Discovery = null,
    int DefaultMaxTokens = ProviderSettings.StandardMaxTokens)
{
    /// <summary>
    /// The completion limit sent when the client sets none, to providers that require one (Anthropic).
    /// </summary>
    public const int StandardMaxTokens = 4096;

    /// <summary>A provider that needs a key and has none is left out of the route table.</summary>
    public bool IsUsable => !KeyRequired || !string.IsNullOrEmpty(ApiKey);

    // Records print every property; the key must never reach a log line.
    public override string ToString() => $"{Name} ({Type}, {ApiBase})";
}

/// <summary>
/// Asks an Ollama server which models it has (<c>GET /api/tags</c>) every <paramref name="Interval"/>,
/// so they are listed and routed as <c>provider/name</c> without a route entry each.
/// </summary>
public sealed record DiscoverySettings(TimeSpan Interval);

public sealed record ProviderTimeouts(TimeSpan Connect, TimeSpan FirstByte, TimeSpan StreamIdle, TimeSpan Total);

/// <summary>One <c>router.models</c> entry: a name (exact, or a pattern ending in <c>*</c>) served by a provider.</summary>
public sealed record ModelEntry(string Name, string Provider, string? Model);

/// <summary>
/// When a deployment's circuit opens: after <paramref name="ConsecutiveFailuresToOpen"/> provider
/// failures in a row, or when at least <paramref name="MinimumCallsInWindow"/> calls in the last
/// <paramref name="FailureRateWindow"/> failed at a rate of <paramref name="FailureRateToOpen"/> or more.
/// It stays open for <paramref name="Cooldown"/>, then lets one probe through.
/// </summary>
public sealed record BreakerSettings(
    int ConsecutiveFailuresToOpen,
    TimeSpan Cooldown,
    double FailureRateToOpen = 0.5,
    TimeSpan FailureRateWindow = default,
    int MinimumCallsInWindow = 20)
{
    public TimeSpan FailureRateWindow { get; init; } = FailureRateWindow == default ? TimeSpan.FromSeconds(60) : FailureRateWindow;
}
