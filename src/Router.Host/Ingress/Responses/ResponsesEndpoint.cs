using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Http;
using Router.Host.Proxy;
using Router.Host.Translation.Responses;

namespace Router.Host.Ingress.Responses;

/// <summary>
/// <c>POST /v1/responses</c> for clients that speak only OpenAI's Responses API (Codex CLI, the Agents SDK, n8n): the
/// request takes the same walk as chat as <see cref="ProxyOperation.Responses"/>, to an OpenAI provider as written and
/// to any other through the chat translation; the answer is a Responses object or event sequence either way.
/// </summary>
public static class ResponsesEndpoint
{
    public static async Task HandleAsync(
        HttpContext context, ProxyHandler proxy, KeyAuthenticator authenticator, ResponseStore store, long maxBodyBytes)
    {
        // One request id for both halves: the walk reuses the one given here.
        var requestId = RequestIds.Assign(context);
        context.Request.Headers[RequestIds.Header] = requestId;
        AuthenticatedKey key;
        ProxyRequest request;
        try
        {
            // The key first: an unknown caller must not make the router read and buffer a body.
            key = authenticator.Authenticate(context);
            request = Check(await IngressBody.ReadRequestAsync(context, maxBodyBytes));
            request = await ContinueAsync(request, key, store, context.RequestAborted);
        }
        catch (RouterError error)
        {
            await ErrorWriter.WriteAsync(context, error, requestId);
            return;
        }

        var shaping = await ShapingStream.AroundWalkAsync(context, (response, client) => new ResponsesEventStream(response, client),
            () => proxy.HandleAsync(context, ProxyOperation.Responses, key, request));
        shaping.Finish();
        Keep(request, key, shaping.Completed, store, requestId);
    }

    /// <summary>
    /// A request continuing a response this router stored for the key gets that conversation; any other id is left for
    /// the provider (OpenAI keeps its own) or refused by the bridge.
    /// </summary>
    private static async Task<ProxyRequest> ContinueAsync(ProxyRequest request, AuthenticatedKey key, ResponseStore store, CancellationToken ct)
    {
        if (request.Field("previous_response_id") is not { ValueKind: JsonValueKind.String } previous) return request;
        if (await store.FindAsync(previous.GetString()!, key.KeyId, ct) is not { } stored) return request;
        return new ProxyRequest
        {
            Model = request.Model, Stream = request.Stream, StreamOptions = request.StreamOptions, Rest = request.Rest, Source = request.Source,
            Conversation = stored.Conversation,
        };
    }

    /// <summary>
    /// Keeps a response the router made by translation, unless the client said <c>store: false</c>: the provider's own
    /// (OpenAI's, answered natively, with an id of its own) is the provider's to keep.
    /// </summary>
    private static void Keep(ProxyRequest request, AuthenticatedKey key, byte[]? completed, ResponseStore store, string requestId)
    {
        if (completed is null || request.Field("store") is { ValueKind: JsonValueKind.False }) return;
        var id = ResponseDraft.ResponseId("chatcmpl-" + requestId);
        store.Keep(id, key.KeyId, () =>
        {
            using var response = JsonDocument.Parse(completed);
            if (!(response.RootElement.TryGetProperty("id", out var answered) && answered.ValueEquals(id))) return null;
            using var body = JsonDocument.Parse(request.Source!.Value);
            var conversation = (request.Conversation ?? []).Concat(ResponsesConversation.InputItems(body.RootElement))
                .Concat(ResponsesConversation.OutputItems(response.RootElement)).ToList();
            return new StoredResponse(System.Text.Encoding.UTF8.GetString(completed), conversation);
        });
    }

    /// <summary>What every backend needs of the settings the router itself reads, checked before routing.</summary>
    private static ProxyRequest Check(ProxyRequest request)
    {
        if (request.Field("max_output_tokens") is { ValueKind: not JsonValueKind.Null } limit && !(limit.TryGetInt32(out var n) && n > 0))
            throw RouterError.InvalidRequest("'max_output_tokens' must be a positive integer.", "max_output_tokens");
        if (request.Field("store") is { ValueKind: not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null) })
            throw RouterError.InvalidRequest("'store' must be true or false.", "store");
        return request;
    }
}
