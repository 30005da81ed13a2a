using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Translation;
using Router.Host.Translation.Messages;
using Router.Host.Translation.OpenAi;
using Router.Host.Translation.Responses;

namespace Router.Host.Providers;

/// <summary>
/// The HTTP side of one provider: its connections, base URL, key and extra headers, and the
/// <see cref="IProviderDialect"/> its type speaks (from <see cref="ProviderRegistry"/>). Bodies are
/// bytes here; the dialect makes and reads them.
/// </summary>
public sealed class ProviderClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    // The handler through an invoker, as a reverse proxy sends: HttpClient would add a linked cancellation source, its
    // registrations and an async frame to every call, for a timeout and a base address the router does not use (timeouts
    // are enforced per phase by the caller: first byte, stream idle, total).
    private readonly HttpMessageInvoker _http;
    // One parsed URI per endpoint path, not a string concatenation and a URI parse per request. Paths
    // can hold the client's model name (Gemini), so the cache is bounded.
    private const int MaxCachedEndpoints = 256;
    private readonly ConcurrentDictionary<string, Uri> _endpoints = new(StringComparer.Ordinal);

    /// <param name="handler">What requests are sent through; null: the provider's pooled connections.</param>
    public ProviderClient(ProviderSettings settings, HttpMessageHandler? handler = null)
    {
        Settings = settings;
        Credentials = new ProviderCredentials(settings);
        _http = new HttpMessageInvoker(handler ?? ProviderConnections.CreateHandler(settings));
        var definition = ProviderRegistry.Of(settings.Type);
        Dialect = definition.CreateDialect(settings);
        _messages = definition.CreateMessagesDialect?.Invoke(settings) ?? new MessagesBridge(Dialect, new ChatTarget(definition.ChatTakesTopK, definition.ChatTakesUser));
        _responses = settings.NativeResponses ? OpenAiResponsesDialect.Instance
            : definition.CreateResponsesDialect?.Invoke(settings) ?? new ResponsesBridge(Dialect);
    }

    public ProviderSettings Settings { get; }

    /// <summary>Its key and credential headers, to mask out of what it answers before that is passed on.</summary>
    public ProviderCredentials Credentials { get; }

    /// <summary>Its dialect for OpenAI's APIs (chat, completions, embeddings).</summary>
    public IProviderDialect Dialect { get; }

    private readonly IProviderDialect _messages;
    private readonly IProviderDialect _responses;

    /// <summary>
    /// The dialect that serves a client API: Anthropic's Messages and OpenAI's Responses natively where the provider
    /// speaks them, else bridged through its chat dialect.
    /// </summary>
    public IProviderDialect DialectFor(ProxyOperation operation) =>
        operation == ProxyOperation.Messages ? _messages : operation == ProxyOperation.Responses ? _responses : Dialect;

    /// <param name="connectTimeout">The calling deployment's connect timeout (deployments of one provider may differ).</param>
    public Task<HttpResponseMessage> SendAsync(UpstreamCall call, TimeSpan connectTimeout, CancellationToken ct)
    {
        if (!_endpoints.TryGetValue(call.Path, out var endpoint))
        {
            endpoint = new Uri(Settings.ApiBase.AbsoluteUri.TrimEnd('/') + call.Path);
            if (_endpoints.Count < MaxCachedEndpoints) _endpoints.TryAdd(call.Path, endpoint);
        }
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new ByteArrayContent(call.Body) { Headers = { ContentType = Json } },
        };
        AddCredentialsAndHeaders(request);
        foreach (var (name, value) in call.Headers) request.Headers.TryAddWithoutValidation(name, value);
        // Only a deployment with its own connect timeout needs the option (and its per-request dictionary).
        if (connectTimeout != Settings.Timeouts.Connect) request.Options.Set(ProviderConnections.ConnectTimeout, connectTimeout);
        // Answered once the headers are in: the caller reads the body, or relays it as it arrives.
        return _http.SendAsync(request, ct);
    }

    /// <summary>
    /// A <c>GET</c> with the provider's key and configured headers, as its calls have them (model lists); a header of
    /// <paramref name="headers"/> the configuration already sets is left to the configuration. Buffered: the answer
    /// is small, and read whole. Bounded by <paramref name="ct"/> alone, so the caller sets the time limit.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(Uri uri, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        AddCredentialsAndHeaders(request);
        foreach (var (name, value) in headers)
            if (!request.Headers.Contains(name)) request.Headers.TryAddWithoutValidation(name, value);
        var response = await _http.SendAsync(request, ct);
        try
        {
            await response.Content.LoadIntoBufferAsync(ct);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private void AddCredentialsAndHeaders(HttpRequestMessage request)
    {
        if (Settings.ApiKey is { Length: > 0 } key) Dialect.Authenticate(request, key);
        foreach (var (name, value) in Settings.Headers) request.Headers.TryAddWithoutValidation(name, value);
    }

    public void Dispose() => _http.Dispose();
}
