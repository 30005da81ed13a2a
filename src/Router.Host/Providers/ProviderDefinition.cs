using Router.Contracts.Configuration;
using Router.Host.Translation;

namespace Router.Host.Providers;

/// <summary>
/// Everything the router knows about one <see cref="ProviderType"/>, declared in one row of
/// <see cref="ProviderRegistry"/>. How it authenticates and how its stream is read are its dialect's
/// (<see cref="IProviderDialect.Authenticate"/>, <see cref="IProviderDialect.CreateEventReader"/>).
/// </summary>
/// <param name="ConfigName">Its name in <c>router.providers.&lt;name&gt;.type</c>.</param>
/// <param name="CreateDialect">The wire format its clients speak, made once per configured provider.</param>
public sealed record ProviderDefinition(ProviderType Type, string ConfigName, Func<ProviderSettings, IProviderDialect> CreateDialect)
{
    /// <summary>
    /// Its dialect for Anthropic's Messages API when it speaks that API itself (Anthropic); null: Messages requests
    /// are bridged through its chat dialect (<see cref="Translation.Messages.MessagesBridge"/>).
    /// </summary>
    public Func<ProviderSettings, IProviderDialect>? CreateMessagesDialect { get; init; }

    /// <summary>
    /// Its dialect for OpenAI's Responses API when it speaks that API itself (OpenAI); null: Responses requests are
    /// bridged through its chat dialect (<see cref="Translation.Responses.ResponsesBridge"/>).
    /// </summary>
    public Func<ProviderSettings, IProviderDialect>? CreateResponsesDialect { get; init; }

    /// <summary>Whether its chat API takes <c>top_k</c> (OpenAI's refuses it; Gemini's and most OpenAI-compatible servers' take it).</summary>
    public bool ChatTakesTopK { get; init; } = true;

    /// <summary>Whether its chat API takes <c>user</c>, the end user's id (Gemini's has no such field).</summary>
    public bool ChatTakesUser { get; init; } = true;

    /// <summary>Whether a provider of this type needs a key unless its config says otherwise (<c>key-required</c>).</summary>
    public bool KeyRequired { get; init; } = true;

    /// <summary>
    /// The prefix the shipped price table (LiteLLM's) files its models under; null: the provider's own name
    /// (an OpenAI-compatible provider named <c>xai</c> is priced as <c>xai/…</c>).
    /// </summary>
    public string? PricePrefix { get; init; }

    /// <summary>Whether it may list its models itself (<c>discover</c>: only Ollama's API does, spoken as openai-compatible).</summary>
    public bool Discovers { get; init; }

    /// <summary>
    /// How a configured provider of this type lists its models, for the names behind its wildcard routes in
    /// <c>/v1/models</c>; null: it cannot, and its wildcard routes list nothing.
    /// </summary>
    public Func<ProviderSettings, IModelListing>? CreateModelListing { get; init; }

    /// <summary>
    /// Whether its chat API takes the completion limit as <c>max_completion_tokens</c> (OpenAI's reasoning models
    /// refuse <c>max_tokens</c>) rather than <c>max_tokens</c>.
    /// </summary>
    public bool ChatLimitIsMaxCompletionTokens { get; init; }

    /// <summary>
    /// Whether its dialect sends <see cref="ProviderSettings.DefaultMaxTokens"/> when the client sets no limit
    /// (the API requires one), which then bounds the cost of a request.
    /// </summary>
    public bool SendsDefaultMaxTokens { get; init; }

    /// <summary>
    /// The version segment its API's paths start with (<c>v1</c> for <c>/v1/messages</c>), added to an api-base
    /// that names no version (<see cref="VersionedApiBase"/>); null: the api-base is taken as written.
    /// </summary>
    public string? ApiVersion { get; init; }
}
