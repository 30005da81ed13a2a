using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation;

/// <summary>
/// One provider wire format as the router speaks it: how an OpenAI request becomes a call to the
/// provider, and how the provider's answers become OpenAI's. The OpenAI dialect passes bytes through;
/// the others translate. Only successful answers are translated: a provider's error body is passed
/// to the client unchanged, without a dialect.
/// </summary>
public interface IProviderDialect
{
    /// <summary>
    /// The upstream call for one OpenAI request. Throws a <see cref="Http.RouterError"/> (400) for what
    /// the provider cannot express, such as an endpoint it does not offer.
    /// </summary>
    UpstreamCall BuildCall(ProxyOperation operation, ProxyRequest request, CallContext call);

    /// <summary>
    /// Adds the provider's credentials to an outgoing request. Its method, URL and body are set, so a provider
    /// that signs them can; the provider's configured headers and the call's own are added after.
    /// </summary>
    void Authenticate(HttpRequestMessage request, string apiKey);

    /// <summary>A complete successful answer as an OpenAI body, with the usage it reported.</summary>
    TranslatedResponse TranslateResponse(byte[] body, ResponseContext response);

    /// <summary>A translator for one streamed answer.</summary>
    IStreamTranslator CreateStreamTranslator(ResponseContext response);

    /// <summary>Reads the events of one streamed answer off the provider's body, framed as the provider frames them.</summary>
    IUpstreamEventReader CreateEventReader(Stream body);
}

/// <summary>What a dialect needs to know about the request beyond its body.</summary>
/// <param name="UpstreamModel">The model name the provider knows (after route resolution).</param>
/// <param name="Streaming">Whether the answer is to be streamed.</param>
/// <param name="ClientHeaders">The client's request headers, for provider headers it may pass on (e.g. <c>anthropic-beta</c>).</param>
public sealed record CallContext(string UpstreamModel, bool Streaming, IHeaderDictionary ClientHeaders);

/// <summary>The request to send: a path below the provider's api-base (query included), the body, and extra headers.</summary>
public sealed record UpstreamCall(string Path, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public static readonly IReadOnlyList<KeyValuePair<string, string>> NoHeaders = [];

    /// <summary>The request fields left out because the provider has no counterpart (its <c>drop-params</c>), for <c>x-router-dropped-params</c>.</summary>
    public IReadOnlyList<string> DroppedParams { get; init; } = [];

    /// <summary>
    /// The tool the call forces to get JSON out of a provider without native structured output; its input is
    /// the answer's content (see <see cref="ResponseContext.ContentTool"/>). Null when none.
    /// </summary>
    public string? ContentTool { get; init; }

    /// <summary>The header that names the dropped fields, comma-separated.</summary>
    public const string DroppedParamsHeader = "x-router-dropped-params";
}

/// <summary>Facts about the answer that the upstream body may not carry.</summary>
/// <param name="Id">The OpenAI response id to use (<c>chatcmpl-…</c>).</param>
/// <param name="Model">The model to report when the provider does not name the one that answered.</param>
/// <param name="Created">Unix seconds for the <c>created</c> field.</param>
/// <param name="IncludeUsage">Whether the client asked for the usage chunk (<c>stream_options.include_usage</c>).</param>
public sealed record ResponseContext(string Id, string Model, long Created, bool IncludeUsage)
{
    /// <summary>The request as the client sent it, for an answer that echoes it (a Responses object repeats its settings).</summary>
    public ProxyRequest? Request { get; init; }

    /// <summary>
    /// A tool call of this name is no call: its input is the answer's text (<c>response_format</c> reached by a
    /// forced tool), returned as the message content with finish_reason <c>stop</c>, as OpenAI answers.
    /// </summary>
    public string? ContentTool { get; init; }
}

public readonly record struct TranslatedResponse(byte[] Body, TokenUsage? Usage);
