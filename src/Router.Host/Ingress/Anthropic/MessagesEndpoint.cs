using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Http;
using Router.Host.Proxy;

namespace Router.Host.Ingress.Anthropic;

/// <summary>
/// <c>POST /v1/messages</c> for Anthropic's clients (Claude Code, the Anthropic SDKs): the request becomes
/// an OpenAI chat request and takes the same walk as any other (keys, routing to any backend, cache,
/// retries, the log); the answer comes back in Anthropic's shapes. The key may come as <c>x-api-key</c>.
/// </summary>
public static class MessagesEndpoint
{
    public static async Task HandleAsync(HttpContext context, ProxyHandler proxy, KeyAuthenticator authenticator, long maxBodyBytes)
    {
        // One request id for both halves: the walk reuses the one given here.
        var requestId = RequestIds.Assign(context);
        context.Request.Headers[RequestIds.Header] = requestId;
        context.Response.Headers["request-id"] = requestId;
        var headers = context.Request.Headers;
        if (string.IsNullOrEmpty(headers.Authorization) && headers["x-api-key"].ToString() is { Length: > 0 } apiKey)
            headers.Authorization = "Bearer " + apiKey;

        AuthenticatedKey key;
        ProxyRequest converted;
        string model;
        try
        {
            // The key first: an unknown caller must not make the router read and buffer a body.
            key = authenticator.Authenticate(context);
            byte[] chat;
            (chat, model) = MessagesRequestConverter.Convert(await ReadBodyAsync(context, maxBodyBytes));
            converted = JsonSerializer.Deserialize(chat, WireJsonContext.Wire.ProxyRequest)!;
        }
        catch (RouterError error)
        {
            await WriteErrorAsync(context, error, requestId);
            return;
        }

        var client = context.Features.Get<IHttpResponseBodyFeature>()!;
        var translating = new MessagesResponseStream(context.Response, client.Stream,
            new MessagesStreamTranslator(MessagesResponses.MessageId("chatcmpl-" + requestId), model));
        context.Response.Body = translating;
        try
        {
            await proxy.HandleAsync(context, ProxyOperation.ChatCompletions, key, converted);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
        finally
        {
            context.Features.Set(client);
        }
        try
        {
            await translating.CompleteAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client left; there is nobody to answer.
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context, long maxBodyBytes)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            return body.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw RouterError.BodyTooLarge(maxBodyBytes);
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, RouterError error, string requestId)
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
