using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Http;
using Router.Host.Proxy;
using Router.Host.Translation.Messages;

namespace Router.Host.Ingress.Anthropic;

/// <summary>
/// <c>POST /v1/messages</c> for Anthropic's clients (Claude Code, the Anthropic SDKs): the request takes the same
/// walk as any other (keys, routing to any backend, cache, retries, the log) as <see cref="ProxyOperation.Messages"/>:
/// to an Anthropic provider as written, to any other through the chat translation; the answer comes back in
/// Anthropic's shapes either way. The key may come as <c>x-api-key</c>.
/// </summary>
public static class MessagesEndpoint
{
    public static async Task HandleAsync(HttpContext context, ProxyHandler proxy, KeyAuthenticator authenticator, long maxBodyBytes)
    {
        var requestId = AdoptRequest(context);
        AuthenticatedKey key;
        ProxyRequest request;
        try
        {
            // The key first: an unknown caller must not make the router read and buffer a body.
            key = authenticator.Authenticate(context);
            request = CheckLimit(await IngressBody.ReadRequestAsync(context, maxBodyBytes));
        }
        catch (RouterError error)
        {
            await WriteErrorAsync(context, error, requestId);
            return;
        }

        var shaping = await ShapingStream.AroundWalkAsync(context, (response, client) => new MessagesResponseStream(response, client),
            () => proxy.HandleAsync(context, ProxyOperation.Messages, key, request));
        try
        {
            await shaping.CompleteAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client left; there is nobody to answer.
        }
    }

    /// <summary>What every backend needs is checked here, before routing; the rest is the provider's to judge, or the bridge's.</summary>
    private static ProxyRequest CheckLimit(ProxyRequest request)
    {
        if (!IsPositiveInteger(request.Field("max_tokens")))
            throw RouterError.InvalidRequest("max_tokens: must be a positive integer", "max_tokens", "invalid_request");
        return request;
    }

    private static bool IsPositiveInteger(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.Number } number && number.TryGetInt32(out var n) && n > 0;

    /// <summary>
    /// One request id for both halves (the walk reuses the one given here), answered as Anthropic's <c>request-id</c>;
    /// the key may come as Anthropic's <c>x-api-key</c>.
    /// </summary>
    public static string AdoptRequest(HttpContext context)
    {
        var requestId = RequestIds.Assign(context);
        context.Request.Headers[RequestIds.Header] = requestId;
        context.Response.Headers["request-id"] = requestId;
        var headers = context.Request.Headers;
        if (string.IsNullOrEmpty(headers.Authorization) && headers["x-api-key"].ToString() is { Length: > 0 } apiKey)
            headers.Authorization = "Bearer " + apiKey;
        return requestId;
    }

    /// <summary>A refusal in Anthropic's error shape, with the router's details.</summary>
    public static async Task WriteErrorAsync(HttpContext context, RouterError error, string requestId)
    {
        var envelope = JsonSerializer.SerializeToUtf8Bytes(
            new ErrorEnvelope(error.Body with { RequestId = requestId }), WireJsonContext.Wire.ErrorEnvelope);
        var body = MessagesResponses.Error(error.Status, envelope);
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
