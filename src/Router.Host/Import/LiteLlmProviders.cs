namespace Router.Host.Import;

/// <summary>
/// A LiteLLM provider prefix (<c>openai/</c>, <c>ollama_chat/</c>, ...) the router can serve: which
/// provider type speaks to it, where it lives unless <c>api_base</c> says otherwise, the variable
/// LiteLLM takes its key from when <c>api_key</c> is not given, and the shipped provider it matches.
/// </summary>
public sealed record ProviderKind(
    string Prefix,
    string ShortName,
    string Type,
    string? DefaultApiBase,
    string? KeyVariable,
    bool KeyRequired,
    string? ShippedName = null)
{
    public bool IsOllama => ShortName == "ollama";
    public bool IsAzure => ShortName == "azure";

    /// <summary>Whether its server answers OpenAI's API only under <c>/v1</c>, so an address without a path needs it added.</summary>
    public bool OpenAiApiUnderV1 { get; init; }
}

/// <summary>LiteLLM's provider prefixes, as its docs spell them, mapped onto the router's provider types.</summary>
public static class LiteLlmProviders
{
    private static readonly ProviderKind OpenAi =
        new("openai", "openai", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY", true, "openai") { OpenAiApiUnderV1 = true };
    private static readonly ProviderKind Anthropic = new("anthropic", "anthropic", "anthropic", "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY", true, "anthropic");
    private static readonly ProviderKind Ollama = new("ollama", "ollama", "openai-compatible", "http://localhost:11434", null, false, "ollama");

    /// <summary>An OpenAI-compatible server of the operator's own (<c>openai/</c> with an <c>api_base</c>, vLLM, LM Studio).</summary>
    public static readonly ProviderKind Custom = new("openai", "openai", "openai-compatible", null, null, false);

    private static readonly Dictionary<string, ProviderKind> ByPrefix = new[]
    {
        OpenAi,
        OpenAi with { Prefix = "text-completion-openai" },
        Anthropic,
        new ProviderKind("gemini", "gemini", "gemini", "https://generativelanguage.googleapis.com/v1beta", "GEMINI_API_KEY", true, "gemini"),
        new ProviderKind("xai", "xai", "openai-compatible", "https://api.x.ai/v1", "XAI_API_KEY", true, "xai"),
        new ProviderKind("nvidia_nim", "nvidia-nim", "openai-compatible", "https://integrate.api.nvidia.com/v1", "NVIDIA_NIM_API_KEY", true, "nvidia-nim"),
        new ProviderKind("minimax", "minimax", "openai-compatible", "https://api.minimax.io/v1", "MINIMAX_API_KEY", true, "minimax"),
        new ProviderKind("openrouter", "openrouter", "openai-compatible", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", true, "openrouter"),
        Ollama,
        Ollama with { Prefix = "ollama_chat" },
        // Azure OpenAI is reached through its OpenAI-compatible v1 API (https://<resource>.openai.azure.com/openai/v1).
        new ProviderKind("azure", "azure", "openai-compatible", null, "AZURE_API_KEY", true),
        new ProviderKind("groq", "groq", "openai-compatible", "https://api.groq.com/openai/v1", "GROQ_API_KEY", true),
        new ProviderKind("deepseek", "deepseek", "openai-compatible", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", true),
        new ProviderKind("mistral", "mistral", "openai-compatible", "https://api.mistral.ai/v1", "MISTRAL_API_KEY", true),
        new ProviderKind("together_ai", "together", "openai-compatible", "https://api.together.xyz/v1", "TOGETHERAI_API_KEY", true),
        new ProviderKind("fireworks_ai", "fireworks", "openai-compatible", "https://api.fireworks.ai/inference/v1", "FIREWORKS_AI_API_KEY", true),
        new ProviderKind("hosted_vllm", "vllm", "openai-compatible", null, null, false) { OpenAiApiUnderV1 = true },
        new ProviderKind("lm_studio", "lm-studio", "openai-compatible", "http://localhost:1234/v1", null, false) { OpenAiApiUnderV1 = true },
    }.ToDictionary(k => k.Prefix, StringComparer.Ordinal);

    public static ProviderKind? ByName(string prefix) => ByPrefix.GetValueOrDefault(prefix);

    /// <summary>
    /// The kind and upstream name of a LiteLLM <c>model</c>: its prefix when it has one the router knows
    /// (<c>openrouter/anthropic/claude-sonnet-4</c> → openrouter, <c>anthropic/claude-sonnet-4</c>), else
    /// the provider LiteLLM infers from a bare OpenAI or Anthropic name. Null kind: not servable, with the prefix.
    /// </summary>
    public static (ProviderKind? Kind, string Upstream, string Prefix) Split(string model, string? customProvider)
    {
        if (customProvider is not null)
        {
            var upstream = model.StartsWith(customProvider + "/", StringComparison.Ordinal) ? model[(customProvider.Length + 1)..] : model;
            return (ByName(customProvider), upstream, customProvider);
        }
        var slash = model.IndexOf('/');
        if (slash > 0) return (ByName(model[..slash]), model[(slash + 1)..], model[..slash]);
        if (IsBareOpenAi(model)) return (OpenAi, model, "openai");
        if (model.StartsWith("claude-", StringComparison.Ordinal)) return (Anthropic, model, "anthropic");
        return (null, model, "");
    }

    private static readonly string[] OpenAiNames =
        ["gpt-", "chatgpt-", "o1", "o3", "o4", "text-embedding-", "ft:gpt-", "dall-e-", "gpt-image-", "whisper-", "tts-", "omni-moderation-", "text-moderation-", "davinci-", "babbage-"];

    private static bool IsBareOpenAi(string model) => OpenAiNames.Any(p => model.StartsWith(p, StringComparison.Ordinal));
}
